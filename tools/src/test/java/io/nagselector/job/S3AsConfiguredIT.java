package io.nagselector.job;

import static io.nagselector.testutils.Accounting.assertAccountedOnce;
import static io.nagselector.testutils.Accounting.pollAccounted;
import static io.nagselector.testutils.Accounting.pollAccountedToEnd;
import static io.nagselector.testutils.KafkaClients.producer;
import static io.nagselector.testutils.KafkaClients.readCommitted;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.nagselector.broker.EmbeddedKafka;
import io.nagselector.cluster.LocalFlinkCluster;
import io.nagselector.cluster.SupervisedCluster;
import io.nagselector.config.JobConfig;
import io.nagselector.testutils.Broker;
import io.nagselector.testutils.FastOrder;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.apache.flink.core.fs.FileStatus;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * S3 as the Kubernetes manifests configure it, on a cluster of separate JVMs (the job artifact in
 * application mode) against s3rver: both S3 plugins in the processes' plugins folder, as {@code
 * ENABLE_BUILT_IN_PLUGINS} enables them; the credentials only in the processes' environment, as
 * {@code AWS_ACCESS_KEY_ID} and {@code AWS_SECRET_ACCESS_KEY} from the Secret {@code
 * nag-selector-s3}; the manifests' own {@code execution.checkpointing.*} and {@code
 * state.backend.*} keys, read from k8s/base/flinkdeployment.yaml, their bucket pointed at s3rver's.
 * Only what a store other than AWS needs is added ({@code s3.endpoint}, path-style access, the
 * region). The job checkpoints and takes a savepoint on {@code s3p://}, a new cluster restores it,
 * and the dataset is written on {@code s3a://}: every document selected once, every selection one
 * row.
 */
class S3AsConfiguredIT {
  @RegisterExtension static final Broker BROKER = new Broker();

  private static final LocalFlinkCluster.Layout LAYOUT =
      LocalFlinkCluster.Layout.of(Path.of("target"));
  private static final Path CONFIG = Path.of("config/local.yaml").toAbsolutePath();
  private static final Duration WAIT = ClusterChecks.WAIT;

  @TempDir(cleanup = CleanupMode.ON_SUCCESS) // a failed run keeps its clusters' logs
  Path dir;

  /** The manifests' checkpoint and state settings, on s3rver's bucket. */
  private static Map<String, String> manifestSettings() throws Exception {
    JsonNode conf =
        new ObjectMapper(new YAMLFactory())
            .readTree(Path.of("k8s/base/flinkdeployment.yaml").toFile())
            .path("spec")
            .path("flinkConfiguration");
    Map<String, String> settings = new HashMap<>();
    conf.fields()
        .forEachRemaining(
            f -> {
              if (f.getKey().startsWith("execution.checkpointing.")
                  || f.getKey().startsWith("state.backend.")) {
                settings.put(
                    f.getKey(), f.getValue().asText().replace("//nag-selector/", "//bucket/"));
              }
            });
    assertThat(settings.get("execution.checkpointing.dir")).startsWith("s3p://bucket/");
    assertThat(settings.get("execution.checkpointing.savepoint-dir")).startsWith("s3p://bucket/");
    settings.remove("state.backend.rocksdb.localdir"); // a volume of the pod's
    return settings;
  }

  private LocalFlinkCluster cluster(
      S3Server s3, EmbeddedKafka kafka, Map<String, String> manifest, String name, String savepoint)
      throws Exception {
    Map<String, String> flink = new HashMap<>(SupervisedCluster.operatorSettings());
    flink.putAll(manifest);
    flink.put("execution.checkpointing.interval", "2 s");
    // what a store other than AWS needs; no credentials here
    flink.putAll(s3.endpointConfiguration());
    Map<String, String> env = new HashMap<>();
    env.put("AWS_ACCESS_KEY_ID", S3Server.ACCESS_KEY);
    env.put("AWS_SECRET_ACCESS_KEY", S3Server.SECRET_KEY);
    env.put("NAG_KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers());
    env.put("NAG_SELECTION_SHARDS", "4");
    env.putAll(FastOrder.ENV);
    env.put("NAG_DATASET_PATH", "s3a://" + S3Server.BUCKET + "/dataset");
    LocalFlinkCluster cluster =
        LocalFlinkCluster.application(
            LAYOUT,
            dir.resolve(name),
            flink,
            env,
            JobMain.class.getName(),
            List.of(JobMain.CONFIG_OPTION, CONFIG.toString()),
            savepoint);
    cluster.awaitRest(WAIT);
    cluster.startTaskManager();
    return cluster;
  }

  @Test
  void checkpointsSavepointsAndTheDatasetGoToS3WithTheManifestsCredentials() throws Exception {
    Random rnd = new Random(28);
    Map<String, String> manifest = manifestSettings();
    String savepoints = manifest.get("execution.checkpointing.savepoint-dir");
    Set<String> texts = new HashSet<>();
    EmbeddedKafka kafka = BROKER.kafka();
    try (S3Server s3 = S3Server.start(dir.resolve("s3").toFile());
        KafkaProducer<byte[], byte[]> producer = producer(kafka);
        KafkaConsumer<byte[], byte[]> consumer = readCommitted(kafka, "check")) {
      PipelineIT.createJobTopics(kafka);
      consumer.subscribe(List.of("selected", "dead-letters"));
      Map<String, Integer> accounted = new HashMap<>();
      List<String> sent = new ArrayList<>();
      Instant started = Instant.now();
      String savepoint;
      try (LocalFlinkCluster cluster = cluster(s3, kafka, manifest, "first", null)) {
        String job = ClusterChecks.awaitJob(cluster, "RUNNING");
        PipelineIT.upsertAllTarget(controlConfig(kafka), rnd);
        sent.addAll(PipelineIT.sendDocs(producer, "a", 60, texts, rnd));
        pollAccounted(consumer, accounted, sent.size(), WAIT);
        // read_committed sees selections only once a checkpoint completed: on s3p://
        assertThat(accounted).as("before the savepoint: selected").hasSize(sent.size());
        assertThat(
                cluster
                    .rest()
                    .get("/jobs/" + job + "/checkpoints")
                    .path("counts")
                    .path("completed")
                    .asLong())
            .as("checkpoints completed on s3p://")
            .isPositive();
        savepoint = cluster.rest().stopWithSavepoint(job, savepoints, WAIT);
      }
      assertThat(savepoint).as("the savepoint's location").startsWith("s3p://bucket/savepoints/");
      assertThat(objects(savepoint)).as("the savepoint's files in the bucket").isNotEmpty();

      try (LocalFlinkCluster cluster = cluster(s3, kafka, manifest, "restored", savepoint)) {
        ClusterChecks.awaitJob(cluster, "RUNNING");
        sent.addAll(PipelineIT.sendDocs(producer, "b", 60, texts, rnd));
        pollAccounted(consumer, accounted, sent.size(), WAIT);
        String job = ClusterChecks.awaitJob(cluster, "RUNNING");
        cluster.rest().stopWithSavepoint(job, savepoints, WAIT);
      }
      pollAccountedToEnd(consumer, accounted);
      assertAccountedOnce("S3 as the manifests configure it", sent, accounted);

      Path copy = dir.resolve("dataset-copy");
      S3Server.download(
          "s3a://" + S3Server.BUCKET + "/dataset",
          TaskManagerFailureIT.partitionsSince(started),
          copy.toFile());
      List<String> rows = new ArrayList<>();
      DatasetFiles.read(copy).values().forEach(r -> r.forEach(d -> rows.add(d.getId())));
      assertThat(rows)
          .as("the dataset on s3a://")
          .doesNotHaveDuplicates()
          .containsExactlyInAnyOrderElementsOf(sent);
    }
  }

  private static JobConfig controlConfig(EmbeddedKafka kafka) {
    return JobConfig.load(CONFIG, Map.of("NAG_KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers()));
  }

  /** The objects under an s3p:// location, listed through the test's s3:// filesystem. */
  private static List<String> objects(String location) throws Exception {
    org.apache.flink.core.fs.Path path =
        new org.apache.flink.core.fs.Path(location.replaceFirst("^s3p://", "s3://"));
    List<String> names = new ArrayList<>();
    FileStatus[] files = path.getFileSystem().listStatus(path);
    for (FileStatus f : files == null ? new FileStatus[0] : files) {
      names.add(f.getPath().getName());
    }
    return names;
  }
}
