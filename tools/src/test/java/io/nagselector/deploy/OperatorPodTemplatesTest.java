package io.nagselector.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.File;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The port of the operator's pod-template building ({@link OperatorPodTemplates}) gives what the
 * operator's own code gives, on the cases of its unit tests (FlinkUtilsTest,
 * FlinkConfigBuilderTest, release-1.15.0), the examples of its docs and corner cases, all in
 * src/test/resources/deploy/flink-operator-1.15.0-pod-template-cases.json.
 */
class OperatorPodTemplatesTest {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  static Stream<Named<JsonNode>> cases() throws Exception {
    JsonNode all =
        MAPPER.readTree(
            new File(
                "tools/src/test/resources/deploy/flink-operator-1.15.0-pod-template-cases.json"));
    List<Named<JsonNode>> cases = new ArrayList<>();
    for (String list : List.of("cases", "cornerCases")) {
      all.get(list).forEach(c -> cases.add(Named.of(c.get("name").asText(), c)));
    }
    return cases.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void buildsWhatTheOperatorBuilds(JsonNode c) {
    boolean byName = c.get("mergeByName").asBoolean();
    switch (c.get("kind").asText()) {
      case "rawMergeInto" ->
          assertThat(OperatorPodTemplates.mergeTrees(c.get("base"), c.get("override"), byName))
              .isEqualTo(c.get("expected"));
      case "mergePodTemplates" ->
          assertThat(
                  OperatorPodTemplates.merge(
                      OperatorPodTemplates.template(c.get("base")),
                      OperatorPodTemplates.template(c.get("override")),
                      byName))
              .isEqualTo(c.get("expected"));
      default -> {
        OperatorPodTemplates.Templates built =
            OperatorPodTemplates.of(deployment(c.get("applyPodTemplateInputs"), byName));
        assertThat(built.jobManager())
            .as("the JobManager's")
            .isEqualTo(orNull(c.get("expectedJobManager")));
        assertThat(built.taskManager())
            .as("the TaskManager's")
            .isEqualTo(orNull(c.get("expectedTaskManager")));
      }
    }
  }

  /** A FlinkDeployment with the case's templates, resources and settings. */
  private static JsonNode deployment(JsonNode in, boolean byName) {
    ObjectNode spec = MAPPER.createObjectNode();
    spec.putObject("flinkConfiguration")
        .put(OperatorPodTemplates.MERGE_BY_NAME, Boolean.toString(byName))
        .put(OperatorPodTemplates.STARTUP_PROBE, in.get("jmStartupProbeEnabled").asText());
    if (!in.get("commonPodTemplate").isNull()) {
      spec.set("podTemplate", in.get("commonPodTemplate"));
    }
    component(spec, "jobManager", in);
    component(spec, "taskManager", in);
    return MAPPER.createObjectNode().set("spec", spec);
  }

  private static void component(ObjectNode spec, String name, JsonNode in) {
    if (!in.get(name + "SpecPresent").asBoolean()) {
      return;
    }
    ObjectNode component = spec.putObject(name);
    if (!in.get(name + "PodTemplate").isNull()) {
      component.set("podTemplate", in.get(name + "PodTemplate"));
    }
    if (!in.get(name + "EphemeralStorage").isNull()) {
      component.putObject("resource").set("ephemeralStorage", in.get(name + "EphemeralStorage"));
    }
  }

  private static JsonNode orNull(JsonNode node) {
    return node == null || node.isNull() ? null : node;
  }
}
