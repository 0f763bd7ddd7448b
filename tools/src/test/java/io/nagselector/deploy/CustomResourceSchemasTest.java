package io.nagselector.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every custom resource of every overlay against the schema that the newest release of its operator
 * publishes (the CRDs under src/test/resources/crds, taken from the operators' release tags): the
 * Flink Kubernetes Operator 1.15.0's FlinkDeployment, Strimzi 1.2.0's KafkaTopic and KafkaUser,
 * which serve kafka.strimzi.io/v1 only.
 */
class CustomResourceSchemasTest {
  private static final Path CRDS = Path.of("tools/src/test/resources/crds");

  private static CrdSchema flinkDeployment() throws Exception {
    return CrdSchema.load(CRDS.resolve("flinkdeployments.flink.apache.org-1.15.0.yml"), "v1beta1");
  }

  private static CrdSchema kafkaTopic() throws Exception {
    return CrdSchema.load(CRDS.resolve("kafkatopics.kafka.strimzi.io-1.2.0.yaml"), "v1");
  }

  private static CrdSchema kafkaUser() throws Exception {
    return CrdSchema.load(CRDS.resolve("kafkausers.kafka.strimzi.io-1.2.0.yaml"), "v1");
  }

  @ParameterizedTest
  @ValueSource(strings = {"dev-cpu", "prod-gpu"})
  void everyCustomResourceIsValidForTheOperatorsNewestRelease(String overlay) throws Exception {
    List<JsonNode> docs = Manifests.render(Path.of("k8s", "overlays", overlay));
    check(flinkDeployment(), Manifests.all(docs, "FlinkDeployment"), 1);
    check(kafkaTopic(), Manifests.all(docs, "KafkaTopic"), 8);
    check(kafkaUser(), Manifests.all(docs, "KafkaUser"), 4);
  }

  private static void check(CrdSchema schema, List<JsonNode> resources, int count) {
    assertThat(resources).hasSize(count);
    for (JsonNode r : resources) {
      assertThat(schema.violations(r))
          .as("%s %s", r.path("kind").asText(), r.path("metadata").path("name").asText())
          .isEmpty();
    }
  }

  @Test
  void theCheckRefusesWhatTheApiServerWould() throws Exception {
    JsonNode deployment =
        Manifests.one(
            Manifests.render(Path.of("k8s", "overlays", "dev-cpu")),
            "FlinkDeployment",
            "nag-selector");
    ObjectNode bad = deployment.deepCopy();
    ((ObjectNode) bad.path("spec")).put("parallelism", 2); // belongs under spec.job
    ((ObjectNode) bad.path("spec").path("job")).put("upgradeMode", "restart");
    ((ObjectNode) bad.path("spec").path("taskManager")).put("replicas", "two");
    ((ObjectNode) bad.path("spec")).put("serviceAccount", 5);
    assertThat(flinkDeployment().violations(bad))
        .containsExactlyInAnyOrder(
            ".spec.parallelism: unknown field",
            ".spec.job.upgradeMode: \"restart\" is not one of [\"last-state\",\"savepoint\",\"stateless\"]",
            ".spec.taskManager.replicas: not an integer (\"two\")",
            ".spec.serviceAccount: not a string (5)");
    ObjectNode v1beta2 = new ObjectMapper().createObjectNode();
    v1beta2.put("apiVersion", "kafka.strimzi.io/v1beta2").put("kind", "KafkaTopic");
    assertThat(kafkaTopic().violations(v1beta2))
        .containsExactly(
            "is kafka.strimzi.io/v1beta2 KafkaTopic, the schema is for kafka.strimzi.io/v1 KafkaTopic");
  }
}
