package io.nagselector.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The pods the Flink Kubernetes Operator builds from each kustomization: its merge of the common
 * pod template into the JobManager's and the TaskManager's ({@link OperatorPodTemplates}), then
 * what Flink adds ({@link FlinkPods}), each pod checked as the API server checks it ({@link
 * PodSchema}). No API server runs here: this is the operator's and the API server's logic, not a
 * cluster.
 */
class KubernetesPodsTest {
  private static final List<String> KUSTOMIZATIONS =
      List.of("k8s/base", "k8s/overlays/dev-cpu", "k8s/overlays/prod-gpu");

  private static JsonNode flinkDeployment(String kustomization) throws Exception {
    return Manifests.one(
        Manifests.render(Path.of(kustomization)), "FlinkDeployment", "nag-selector");
  }

  /** The JobManager's and the TaskManager's pod, as built from {@code deployment}. */
  private static Map<String, JsonNode> pods(JsonNode deployment) {
    OperatorPodTemplates.Templates templates = OperatorPodTemplates.of(deployment);
    Map<String, JsonNode> pods = new TreeMap<>();
    pods.put("jobmanager", FlinkPods.jobManager(deployment, templates.jobManager()));
    pods.put("taskmanager", FlinkPods.taskManager(deployment, templates.taskManager()));
    return pods;
  }

  @ParameterizedTest
  @ValueSource(strings = {"k8s/base", "k8s/overlays/dev-cpu", "k8s/overlays/prod-gpu"})
  void theApiServerAcceptsEveryPodTheOperatorBuilds(String kustomization) throws Exception {
    pods(flinkDeployment(kustomization))
        .forEach(
            (name, pod) ->
                assertThat(PodSchema.violations(pod))
                    .as(kustomization + ": the " + name + " pod " + pod)
                    .isEmpty());
  }

  @ParameterizedTest
  @ValueSource(strings = {"k8s/base", "k8s/overlays/dev-cpu", "k8s/overlays/prod-gpu"})
  void eachPodHasItsOwnVolumesMountedWhereTheJobLooks(String kustomization) throws Exception {
    Map<String, JsonNode> pods = pods(flinkDeployment(kustomization));
    Map<String, String> taskManager = mounts(pods.get("taskmanager"));
    assertThat(taskManager)
        .as(kustomization + ": the TaskManager's mounts (path -> volume, read-only)")
        .containsEntry("/opt/nag/config", "config ro")
        .containsEntry("/opt/nag/kafka-ca", "kafka-ca ro")
        .containsEntry("/flink-rocksdb", "rocksdb rw");
    assertThat(volume(pods.get("taskmanager"), "rocksdb").has("ephemeral")).isTrue();
    Map<String, String> jobManager = mounts(pods.get("jobmanager"));
    assertThat(jobManager)
        .as(kustomization + ": the JobManager's mounts")
        .containsEntry("/opt/nag/config", "config ro")
        .doesNotContainKey("/flink-rocksdb");
  }

  /**
   * The negative: merged by position (the operator's default), the same manifests give a
   * TaskManager pod the API server refuses, and the check says which volume.
   */
  @ParameterizedTest
  @ValueSource(strings = {"k8s/base", "k8s/overlays/dev-cpu", "k8s/overlays/prod-gpu"})
  void mergedByPositionTheTaskManagerPodIsRefusedNamingTheVolume(String kustomization)
      throws Exception {
    JsonNode deployment = flinkDeployment(kustomization).deepCopy();
    ((ObjectNode) deployment.path("spec").path("flinkConfiguration"))
        .remove(OperatorPodTemplates.MERGE_BY_NAME);
    assertThat(PodSchema.violations(pods(deployment).get("taskmanager")))
        .as(kustomization)
        .anyMatch(v -> v.startsWith("volume rocksdb: may not specify more than 1 volume type"));
  }

  @Test
  void everyOverlayIsChecked() throws Exception {
    try (Stream<Path> overlays = Files.list(Path.of("k8s/overlays"))) {
      assertThat(KUSTOMIZATIONS)
          .containsAll(overlays.map(p -> "k8s/overlays/" + p.getFileName()).toList());
    }
  }

  /** The main container's mounts: path -> "volume ro|rw". */
  private static Map<String, String> mounts(JsonNode pod) {
    Map<String, String> mounts = new TreeMap<>();
    JsonNode containers = pod.path("spec").path("containers");
    for (JsonNode m : containers.get(containers.size() - 1).path("volumeMounts")) {
      mounts.put(
          m.path("mountPath").asText(),
          m.path("name").asText() + (m.path("readOnly").asBoolean() ? " ro" : " rw"));
    }
    return mounts;
  }

  private static JsonNode volume(JsonNode pod, String name) {
    for (JsonNode v : pod.path("spec").path("volumes")) {
      if (v.path("name").asText().equals(name)) {
        return v;
      }
    }
    throw new AssertionError("no volume " + name + " in " + pod);
  }
}
