package io.nagselector.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The JobManager's and TaskManager's pod templates as the Flink Kubernetes Operator makes them from
 * a FlinkDeployment, ported to Jackson trees from its release-1.15.0 sources ({@code
 * FlinkConfigBuilder.applyPodTemplate}, {@code FlinkUtils.mergePodTemplates}, {@code
 * addStartupProbe}, {@code applyResourceToPodTemplate}), whose jar Maven Central does not serve.
 * The operator's own test cases pin it ({@code OperatorPodTemplatesTest}).
 *
 * <p>What it does: the common {@code spec.podTemplate} is merged with each component's template,
 * objects field by field (the component's scalars win), arrays element by element by position, or
 * by the elements' {@code name} when {@code kubernetes.operator.pod-template.merge-arrays-by-name}
 * is true (default false; the FlinkDeployment's {@code flinkConfiguration} may set it); the
 * JobManager's main container gets a startup probe unless {@code
 * kubernetes.operator.jm-deployment.startup.probe.enabled} is false.
 */
final class OperatorPodTemplates {
  static final String MERGE_BY_NAME = "kubernetes.operator.pod-template.merge-arrays-by-name";
  static final String STARTUP_PROBE = "kubernetes.operator.jm-deployment.startup.probe.enabled";
  static final String MAIN_CONTAINER = "flink-main-container";
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private OperatorPodTemplates() {}

  /** The two templates the operator writes for Flink (null: none written). */
  record Templates(JsonNode jobManager, JsonNode taskManager) {}

  /** What the operator makes of a FlinkDeployment's templates. */
  static Templates of(JsonNode flinkDeployment) {
    JsonNode spec = flinkDeployment.path("spec");
    JsonNode conf = spec.path("flinkConfiguration");
    boolean byName = conf.path(MERGE_BY_NAME).asText("false").equals("true");
    boolean probe = !conf.path(STARTUP_PROBE).asText("true").equals("false");
    JsonNode common = template(spec.get("podTemplate"));
    JsonNode jobManager = component(common, spec.get("jobManager"), byName);
    if (probe) {
      jobManager = withStartupProbe(jobManager == null ? MAPPER.createObjectNode() : jobManager);
    }
    return new Templates(jobManager, component(common, spec.get("taskManager"), byName));
  }

  private static JsonNode component(JsonNode common, JsonNode component, boolean byName) {
    if (component == null || component.isNull()) {
      return common == null ? null : common.deepCopy();
    }
    JsonNode merged = merge(common, template(component.get("podTemplate")), byName);
    return withEphemeralStorage(merged, component.path("resource").path("ephemeralStorage"));
  }

  /**
   * {@code FlinkUtils.mergePodTemplates}: {@code override} merged into a copy of {@code base}, both
   * as the operator's model serializes them.
   */
  static JsonNode merge(JsonNode base, JsonNode override, boolean byName) {
    if (override == null) {
      return base == null ? null : base.deepCopy();
    } else if (base == null) {
      return override.deepCopy();
    }
    return template(mergeTrees(base, override, byName));
  }

  /** The merge itself, on any trees: {@code override} into a copy of {@code base}. */
  static JsonNode mergeTrees(JsonNode base, JsonNode override, boolean byName) {
    JsonNode to = base.deepCopy();
    mergeInto(to, override.deepCopy(), byName);
    return to;
  }

  private static void mergeInto(JsonNode to, JsonNode from, boolean byName) {
    for (var fields = from.fieldNames(); fields.hasNext(); ) {
      String field = fields.next();
      JsonNode toChild = to.get(field);
      JsonNode fromChild = from.get(field);
      if (toChild != null && toChild.isArray() && fromChild.isArray()) {
        mergeArray((ArrayNode) toChild, (ArrayNode) fromChild, byName);
      } else if (toChild != null && toChild.isObject()) {
        mergeInto(toChild, fromChild, byName);
      } else if (to instanceof ObjectNode object) {
        object.replace(field, fromChild);
      }
    }
  }

  private static void mergeArray(ArrayNode to, ArrayNode from, boolean byName) {
    if (byName && named(to) && named(from)) {
      Map<String, JsonNode> merged = byName(to);
      byName(from)
          .forEach(
              (name, element) -> {
                JsonNode existing = merged.get(name);
                if (existing == null) {
                  merged.put(name, element);
                } else {
                  mergeInto(existing, element, true);
                }
              });
      to.removeAll();
      merged.values().forEach(to::add);
      return;
    }
    for (int i = 0; i < from.size(); i++) {
      if (to.size() <= i) {
        to.add(from.get(i));
      }
      mergeInto(to.get(i), from.get(i), false);
    }
  }

  private static boolean named(ArrayNode array) {
    for (JsonNode e : array) {
      if (!e.has("name")) {
        return false;
      }
    }
    return true;
  }

  /** By name, in first-seen order; a repeated name keeps its first place and its last element. */
  private static Map<String, JsonNode> byName(ArrayNode array) {
    Map<String, JsonNode> byName = new LinkedHashMap<>();
    array.forEach(e -> byName.put(e.get("name").asText(), e));
    return byName;
  }

  /** {@code FlinkUtils.addStartupProbe}: on the main container, unless it has one. */
  private static JsonNode withStartupProbe(JsonNode template) {
    ObjectNode pod = (ObjectNode) template.deepCopy();
    ArrayNode containers = containers(pod);
    ObjectNode main = null;
    for (JsonNode c : containers) {
      if (c.path("name").asText().equals(MAIN_CONTAINER)) {
        main = (ObjectNode) c;
      }
    }
    if (main == null) {
      main = containers.addObject().put("name", MAIN_CONTAINER);
    }
    if (!main.hasNonNull("startupProbe")) {
      ObjectNode probe = main.putObject("startupProbe");
      probe.put("failureThreshold", Integer.MAX_VALUE).put("periodSeconds", 1);
      probe.putObject("httpGet").put("path", "/config").put("port", "rest");
    }
    return template(pod);
  }

  /** {@code applyResourceToPodTemplate}: a component's ephemeral storage on its main containers. */
  private static JsonNode withEphemeralStorage(JsonNode template, JsonNode storage) {
    if (storage.isMissingNode() || storage.isNull() || storage.asText().isBlank()) {
      return template;
    }
    ObjectNode pod = template == null ? MAPPER.createObjectNode() : (ObjectNode) template;
    ArrayNode containers = containers(pod);
    boolean found = false;
    for (JsonNode c : containers) {
      if (c.path("name").asText().equals(MAIN_CONTAINER)) {
        found = true;
        ephemeralStorage((ObjectNode) c, storage.asText());
      }
    }
    if (!found) {
      ephemeralStorage(containers.addObject().put("name", MAIN_CONTAINER), storage.asText());
    }
    return template(pod);
  }

  private static void ephemeralStorage(ObjectNode container, String quantity) {
    ObjectNode resources = container.with("resources");
    resources.with("limits").put("ephemeral-storage", quantity);
    resources.with("requests").put("ephemeral-storage", quantity);
  }

  private static ArrayNode containers(ObjectNode pod) {
    ObjectNode spec = pod.with("spec");
    return spec.has("containers")
        ? (ArrayNode) spec.get("containers")
        : spec.putArray("containers");
  }

  /**
   * A template as the operator's model ({@code PodTemplateSpec}) reads and writes it: unknown
   * fields kept, nulls and empty lists and maps dropped.
   */
  static JsonNode template(JsonNode node) {
    if (node == null || node.isNull()) {
      return null;
    }
    try {
      return MAPPER.valueToTree(MAPPER.treeToValue(node, PodTemplateSpec.class));
    } catch (Exception e) {
      throw new IllegalArgumentException("not a pod template: " + node, e);
    }
  }
}
