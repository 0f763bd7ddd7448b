package io.nagselector.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.nagselector.config.ConfigKeys;
import io.nagselector.config.FlinkSettings;
import io.nagselector.config.JobConfig;
import io.nagselector.io.UserInputException;
import io.nagselector.job.JobMain;
import io.nagselector.kafka.JobTopics;
import io.strimzi.api.kafka.model.topic.KafkaTopic;
import io.strimzi.api.kafka.model.user.KafkaUser;
import io.strimzi.api.kafka.model.user.KafkaUserAuthorizationSimple;
import io.strimzi.api.kafka.model.user.acl.AclOperation;
import io.strimzi.api.kafka.model.user.acl.AclRule;
import io.strimzi.api.kafka.model.user.acl.AclRuleTopicResource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.kubernetes.operator.api.FlinkDeployment;
import org.apache.flink.kubernetes.operator.api.spec.UpgradeMode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every overlay renders, and each resource binds strictly to its operator's model classes (the
 * Flink Kubernetes Operator's, Strimzi's: older releases, for typed access; what the current
 * releases accept is CustomResourceSchemasTest's); the job's config in the ConfigMap passes the
 * job's own validation with the environment the pods give it; topics, ACLs, metrics and GPU
 * settings agree with the job.
 */
class KubernetesManifestsTest {
  @TempDir Path dir;

  @ParameterizedTest
  @ValueSource(strings = {"dev-cpu", "prod-gpu"})
  void overlayRendersAndBindsStrictly(String overlay) throws Exception {
    List<JsonNode> docs = Manifests.render(Path.of("k8s", "overlays", overlay));
    assertThat(docs).allMatch(d -> !d.path("metadata").path("namespace").asText().isEmpty());

    FlinkDeployment flink = flinkDeployment(Manifests.one(docs, "FlinkDeployment", "nag-selector"));
    Map<String, String> conf = flink.getSpec().getFlinkConfiguration();
    assertThat(flink.getSpec().getJob().getUpgradeMode()).isEqualTo(UpgradeMode.SAVEPOINT);
    assertThat(flink.getSpec().getJob().getJarURI())
        .isEqualTo("local:///opt/flink/usrlib/nag-selector-job.jar");
    assertThat(Class.forName(flink.getSpec().getJob().getEntryClass())).isEqualTo(JobMain.class);
    String[] args = flink.getSpec().getJob().getArgs();
    assertThat(args).containsExactly("--job-config", "/opt/nag/config/cluster.yaml");
    assertThat(JobMain.configPath(args)).isEqualTo(Path.of("/opt/nag/config/cluster.yaml"));
    assertThat(conf)
        .containsEntry("state.backend.type", "rocksdb")
        .containsEntry("execution.checkpointing.incremental", "true")
        .containsEntry("high-availability.type", "kubernetes")
        .containsKey("restart-strategy.type")
        .containsEntry(
            "metrics.reporter.prom.factory.class",
            "org.apache.flink.metrics.prometheus.PrometheusReporterFactory");

    Container main = flink.getSpec().getPodTemplate().getSpec().getContainers().get(0);
    assertThat(main.getName()).isEqualTo("flink-main-container");
    assertThat(main.getPorts())
        .anyMatch(
            p ->
                p.getName().equals("metrics")
                    && p.getContainerPort()
                        .toString()
                        .equals(conf.get("metrics.reporter.prom.port")));
    EnvVar password = env(main, "KAFKA_SASL_PASSWORD");
    assertThat(password.getValue()).isNull();
    assertThat(password.getValueFrom().getSecretKeyRef().getName()).isEqualTo("nag-selector");

    // the ConfigMap's config, with the pods' environment, passes the job's validation
    // the service account the JobManager runs as exists in the job's namespace, with its Role
    String account = flink.getSpec().getServiceAccount();
    Manifests.one(docs, "ServiceAccount", account);
    JsonNode binding = Manifests.one(docs, "RoleBinding", "nag-selector-flink");
    assertThat(binding.path("subjects").get(0).path("name").asText()).isEqualTo(account);
    JsonNode role = Manifests.one(docs, "Role", binding.path("roleRef").path("name").asText());
    assertThat(role.path("rules").toString())
        .contains("\"pods\"", "\"configmaps\"", "\"deployments\"", "\"watch\"", "\"create\"");

    String configMap = configVolume(flink);
    assertThat(configMap).matches("nag-selector-config-[a-z0-9]{10}");
    String clusterYaml =
        Manifests.one(docs, "ConfigMap", configMap).path("data").path("cluster.yaml").asText();
    assertThat(clusterYaml).isEqualTo(Files.readString(Path.of("config", "cluster.yaml")));
    JobConfig config = podConfig(clusterYaml, main);
    assertThat(config.get(ConfigKeys.CHECKPOINTS_DIR))
        .isEqualTo(conf.get("execution.checkpointing.dir"));
    assertThat(config.get(ConfigKeys.KAFKA_SECURITY_PROTOCOL)).isEqualTo("SASL_SSL");
    // the password is a reference to the pod's Secret-backed variable, resolved by Kafka's clients
    assertThat(config.get(ConfigKeys.KAFKA_SASL_PASSWORD))
        .isEqualTo("${env:" + password.getName() + "}");
    // the job's transaction timeout outlives the deployment's restart backoff and checkpoints
    FlinkSettings.checkTransactionTimeout(
        config.get(ConfigKeys.KAFKA_TRANSACTION_TIMEOUT), Configuration.fromMap(conf));

    // one Strimzi topic per configured topic; top-k and targets compacted
    Map<String, String> policies = new HashMap<>();
    for (JsonNode t : Manifests.all(docs, "KafkaTopic")) {
      KafkaTopic topic = Manifests.bind(t, KafkaTopic.class);
      policies.put(
          topic.getSpec().getTopicName(),
          String.valueOf(topic.getSpec().getConfig().getOrDefault("cleanup.policy", "delete")));
    }
    assertThat(policies.keySet()).isEqualTo(configuredTopics(config));
    assertThat(policies.get(config.get(ConfigKeys.KAFKA_TOPICS_TOP_K))).isEqualTo("compact");
    assertThat(policies.get(config.get(ConfigKeys.KAFKA_TOPICS_TARGETS))).isEqualTo("compact");

    // the job's user reads its inputs and writes its outputs, nothing else
    KafkaUser user =
        Manifests.bind(Manifests.one(docs, "KafkaUser", "nag-selector"), KafkaUser.class);
    assertThat(user.getMetadata().getName()).isEqualTo(config.get(ConfigKeys.KAFKA_SASL_USERNAME));
    Set<String> reads = new TreeSet<>();
    Set<String> writes = new TreeSet<>();
    for (AclRule rule :
        ((KafkaUserAuthorizationSimple) user.getSpec().getAuthorization()).getAcls()) {
      if (rule.getResource() instanceof AclRuleTopicResource topic) {
        if (rule.getOperations().contains(AclOperation.READ)) {
          reads.add(topic.getName());
        }
        if (rule.getOperations().contains(AclOperation.WRITE)) {
          writes.add(topic.getName());
        }
      }
    }
    assertThat(reads)
        .containsExactlyInAnyOrder(
            config.get(ConfigKeys.KAFKA_TOPICS_CRAWL), config.get(ConfigKeys.KAFKA_TOPICS_CONTROL));
    Set<String> outputs = configuredTopics(config);
    outputs.removeAll(reads);
    assertThat(writes).isEqualTo(outputs);
    Manifests.bind(Manifests.one(docs, "KafkaUser", "nag-selector-cli"), KafkaUser.class);

    JsonNode monitor = Manifests.one(docs, "PodMonitor", "nag-selector");
    assertThat(monitor.path("spec").path("podMetricsEndpoints").get(0).path("port").asText())
        .isEqualTo("metrics");
    assertThat(monitor.path("spec").path("selector").path("matchLabels").path("app").asText())
        .isEqualTo(flink.getMetadata().getName());

    if (overlay.equals("prod-gpu")) {
      assertThat(flink.getSpec().getImage()).contains("cuda");
      assertThat(conf).containsEntry("taskmanager.numberOfTaskSlots", "1");
      var tm = flink.getSpec().getTaskManager().getPodTemplate().getSpec();
      assertThat(
              tm.getContainers()
                  .get(0)
                  .getResources()
                  .getLimits()
                  .get("nvidia.com/gpu")
                  .getAmount())
          .isEqualTo("1");
      assertThat(tm.getTolerations()).anyMatch(t -> t.getKey().equals("nvidia.com/gpu"));
      assertThat(tm.getNodeSelector()).containsKey("nvidia.com/gpu.present");
      assertThat(env(main, "NAG_MODEL_PATH").getValue()).startsWith("/models/");
      assertThat(main.getVolumeMounts())
          .anyMatch(
              m -> m.getMountPath().equals("/models") && Boolean.TRUE.equals(m.getReadOnly()));
    } else {
      assertThat(conf.get("execution.checkpointing.dir")).startsWith("file:///flink-data/");
      assertThat(main.getVolumeMounts()).anyMatch(m -> m.getMountPath().equals("/flink-data"));
      Manifests.one(docs, "PersistentVolumeClaim", "nag-selector-data");
    }
  }

  /**
   * The FlinkDeployment bound to the operator API 1.10.0 (the one served here). That release's
   * FlinkVersion enum ends at v1_20; the manifest names Flink 2.2, which the test checks against
   * the pom before binding the rest strictly.
   */
  private static FlinkDeployment flinkDeployment(JsonNode node) throws Exception {
    String flinkVersion = node.path("spec").path("flinkVersion").asText();
    Matcher pom =
        Pattern.compile("<flink.version>(\\d+)\\.(\\d+)\\.\\d+</flink.version>")
            .matcher(Files.readString(Path.of("pom.xml")));
    assertThat(pom.find()).isTrue();
    assertThat(flinkVersion).isEqualTo("v" + pom.group(1) + "_" + pom.group(2));
    ObjectNode copy = node.deepCopy();
    ((ObjectNode) copy.path("spec")).put("flinkVersion", "v1_20");
    return Manifests.bind(copy, FlinkDeployment.class);
  }

  private static EnvVar env(Container c, String name) {
    return c.getEnv().stream()
        .filter(e -> e.getName().equals(name))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no env " + name));
  }

  /**
   * The config as a pod loads it: literal NAG_* variables apply; values from Secrets are stand-ins;
   * the Kafka CA file, mounted from a Secret in the pod, is a stand-in file here.
   */
  private JobConfig podConfig(String clusterYaml, Container main) throws Exception {
    Path file = Files.writeString(dir.resolve("cluster.yaml"), clusterYaml);
    Map<String, String> env = new HashMap<>();
    for (EnvVar e : main.getEnv()) {
      if (e.getName().startsWith("NAG_")) {
        env.put(e.getName(), e.getValue() != null ? e.getValue() : "from-a-secret");
      }
    }
    Path ca = Files.writeString(dir.resolve("ca.crt"), "stand-in");
    JobConfig withoutCa = null;
    try {
      withoutCa = JobConfig.load(file, env);
    } catch (UserInputException e) {
      assertThat(e.getMessage()).contains("kafka.ssl-truststore /opt/nag/kafka-ca/ca.crt");
    }
    assertThat(withoutCa).as("the CA path exists only in the pod").isNull();
    assertThat(main.getVolumeMounts()).anyMatch(m -> m.getMountPath().equals("/opt/nag/kafka-ca"));
    env.put("NAG_KAFKA_SSL_TRUSTSTORE", ca.toString());
    return JobConfig.load(file, env);
  }

  private static Set<String> configuredTopics(JobConfig c) {
    return new TreeSet<>(JobTopics.of(c));
  }

  /** The ConfigMap the job's pods mount their config from. */
  private static String configVolume(FlinkDeployment flink) {
    return flink.getSpec().getPodTemplate().getSpec().getVolumes().stream()
        .filter(v -> v.getName().equals("config"))
        .findFirst()
        .orElseThrow()
        .getConfigMap()
        .getName();
  }

  @Test
  void aConfigEditChangesTheFlinkDeploymentsSpecSoTheOperatorRollsItOut() throws Exception {
    Path copy = dir.resolve("repo");
    for (String tree : List.of("k8s", "config")) {
      try (var files = Files.walk(Path.of(tree))) {
        for (Path f : files.toList()) {
          Path to = copy.resolve(f.toString());
          if (Files.isDirectory(f)) {
            Files.createDirectories(to);
          } else {
            Files.copy(f, to);
          }
        }
      }
    }
    Path overlay = copy.resolve("k8s/overlays/dev-cpu");
    String before =
        configVolume(
            flinkDeployment(
                Manifests.one(Manifests.render(overlay), "FlinkDeployment", "nag-selector")));
    Path cluster = copy.resolve("config/cluster.yaml");
    Files.writeString(cluster, Files.readString(cluster).replace("warm-up: 1000", "warm-up: 500"));
    String after =
        configVolume(
            flinkDeployment(
                Manifests.one(Manifests.render(overlay), "FlinkDeployment", "nag-selector")));
    assertThat(after).startsWith("nag-selector-config-").isNotEqualTo(before);
  }
}
