package io.nagselector.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What can be checked of the images without a Docker engine (none runs here; CI builds them): the
 * Dockerfiles' invariants. And the Grafana dashboard against the metrics the job registers.
 */
class ImagesAndDashboardTest {
  private static String pomProperty(String name) throws Exception {
    Matcher m =
        Pattern.compile("<" + Pattern.quote(name) + ">([^<]+)</")
            .matcher(Files.readString(Path.of("pom.xml")));
    assertThat(m.find()).as(name).isTrue();
    return m.group(1);
  }

  /** The Dockerfile's stages: each FROM line and the instructions after it. */
  private static List<List<String>> stages(String dockerfile) {
    List<List<String>> stages = new ArrayList<>();
    for (String line : dockerfile.replace("\\\n", " ").split("\n")) {
      String l = line.strip();
      if (l.isEmpty() || l.startsWith("#")) {
        continue;
      }
      if (l.startsWith("FROM ")) {
        stages.add(new ArrayList<>());
      }
      stages.get(stages.size() - 1).add(l);
    }
    return stages;
  }

  @ParameterizedTest
  @ValueSource(strings = {"Dockerfile", "Dockerfile.cuda"})
  void dockerfilesBuildInOneStageAndRunFlinkAsNonRoot(String name) throws Exception {
    List<List<String>> stages = stages(Files.readString(Path.of("docker", name)));
    assertThat(stages.size()).as("multi-stage").isGreaterThanOrEqualTo(2);
    for (List<String> stage : stages) {
      String image = stage.get(0).split("\\s+")[1];
      assertThat(image).as("pinned by tag").matches("[^:]+:[0-9][^ ]*").doesNotEndWith(":latest");
    }
    assertThat(stages.get(0).get(0)).contains(" AS build");
    List<String> last = stages.get(stages.size() - 1);
    String text = String.join("\n", last);
    assertThat(text)
        .contains(
            "COPY --from=build --chown=flink:flink /src/target/nag-selector-job.jar"
                + " /opt/flink/usrlib/nag-selector-job.jar")
        .as("DJL and its natives where the parent classloader loads them, once per JVM")
        .contains(
            "COPY --from=build --chown=flink:flink /src/target/nag-selector-lib.jar"
                + " /opt/flink/lib/nag-selector-lib.jar")
        .contains("config/cluster.yaml /opt/nag/config/cluster.yaml")
        .doesNotContain("mvn ", "maven");
    assertThat(last).anyMatch(l -> l.equals("USER flink"));
    // the Flink in the image is the one the job is built against
    String flink = "flink:" + pomProperty("flink.version") + "-java17";
    assertThat(String.join("\n", stages.stream().map(s -> s.get(0)).toList())).contains(flink);
  }

  @Test
  void theCudaImageHasTheLibtorchDjlExpectsAndRunsOnTheGpu() throws Exception {
    String cuda = Files.readString(Path.of("docker", "Dockerfile.cuda"));
    Matcher flavor = Pattern.compile("PYTORCH_FLAVOR=(cu\\d+)").matcher(cuda);
    Matcher version = Pattern.compile("PYTORCH_VERSION=([0-9.]+)").matcher(cuda);
    assertThat(flavor.find() && version.find()).isTrue();
    assertThat(cuda).contains("NAG_MODEL_DEVICE=gpu", "PYTORCH_LIBRARY_PATH=/opt/libtorch/lib");
    assertThat(cuda)
        .contains("libtorch/" + flavor.group(1) + "/")
        .contains(version.group(1) + "%2B" + flavor.group(1));
    // DJL's JNI jar, the one the job ships (version in the pom), has a library for that flavour
    assertThat(version.group(1)).isEqualTo(pomProperty("pytorch.version"));
    assertThat(
            getClass()
                .getClassLoader()
                .getResource("jnilib/linux-x86_64/" + flavor.group(1) + "/libdjl_torch.so"))
        .isNotNull();
    // jemalloc where Flink's entrypoint looks for it, the download verified, Flink owned by flink
    // as it is copied (no chown -R layer)
    assertThat(cuda)
        .contains(
            "libjemalloc-dev", "sha256sum -c", "COPY --from=flink --chown=flink:flink /opt/flink")
        .doesNotContain("chown -R");
    String ignore = Files.readString(Path.of(".dockerignore"));
    assertThat(ignore.lines())
        .contains("*", "!pom.xml", "!avro/", "!core/", "!job/", "!tools/pom.xml", "!config/");
  }

  @Test
  void theDashboardPlotsEveryMetricTheJobRegisters() throws Exception {
    JsonNode dashboard =
        new ObjectMapper().readTree(Path.of("k8s", "base", "grafana-dashboard.json").toFile());
    List<String> exprs = new ArrayList<>();
    dashboard
        .path("panels")
        .forEach(p -> p.path("targets").forEach(t -> exprs.add(t.path("expr").asText())));
    String all = String.join("\n", exprs);
    String op = "flink_taskmanager_job_task_operator_";
    for (String metric :
        List.of(
            op + "documentsIn",
            op + "extracted",
            op + "duplicates",
            op + "batcher_fill",
            op + "batcher_meanBatchSize",
            op + "batcher_queued",
            op + "extractionLatencyMs",
            op + "target_accepted",
            op + "target_threshold",
            op + "target_acceptedShare",
            op + "reason_deadLetters",
            "flink_jobmanager_job_lastCheckpointDuration")) {
      assertThat(all).as(metric).contains(metric);
    }
    // and each of those names is one the job's code registers
    String code = sources("job/src/main/java/io/nagselector");
    for (String registered :
        List.of(
            "\"documentsIn\"",
            "\"extracted\"",
            "\"duplicates\"",
            "\"fill\"",
            "\"meanBatchSize\"",
            "\"queued\"",
            "\"extractionLatencyMs\"",
            "\"accepted\"",
            "\"threshold\"",
            "\"acceptedShare\"",
            "\"deadLetters\"",
            "addGroup(\"batcher\")",
            "addGroup(\"target\", ",
            "addGroup(\"reason\", ")) {
      assertThat(code).as(registered).contains(registered);
    }
  }

  @Test
  void workflowsPinTheirActionsAndCiRunsTheReadmesTestCommand() throws Exception {
    Pattern uses = Pattern.compile("uses:\\s*(\\S+)");
    int actions = 0;
    try (var files = Files.list(Path.of(".github", "workflows"))) {
      for (Path f : files.toList()) {
        Matcher m = uses.matcher(Files.readString(f));
        while (m.find()) {
          actions++;
          assertThat(m.group(1))
              .as(f + ": " + m.group(1))
              .matches("[\\w./-]+@(v\\d+\\.\\d+\\.\\d+|[0-9a-f]{40})");
        }
      }
    }
    assertThat(actions).isGreaterThan(5);
    assertThat(Files.readString(Path.of(".github", "workflows", "ci.yml")))
        .contains("run: .ci/run");
    assertThat(Files.readString(Path.of(".ci", "run"))).contains("./mvnw -B verify");
    // image tags by the metadata action: semver without the v, never the ref name (N/merge)
    String images = Files.readString(Path.of(".github", "workflows", "images.yml"));
    assertThat(images)
        .contains("docker/metadata-action@", "type=semver,pattern={{version}}", "type=ref,event=pr")
        .doesNotContain("github.ref_name");
  }

  private static String sources(String dir) throws Exception {
    StringBuilder all = new StringBuilder();
    try (var files = Files.walk(Path.of(dir))) {
      for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
        all.append(Files.readString(f));
      }
    }
    return all.toString();
  }
}
