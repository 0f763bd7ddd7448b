package io.nagselector.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The JobManager's and a TaskManager's pod as Flink's native Kubernetes integration builds them
 * from the operator's templates ({@link OperatorPodTemplates}): what its decorators add, as Flink
 * 2.2's {@code InitJobManagerDecorator}, {@code InitTaskManagerDecorator}, {@code
 * FlinkConfMountDecorator} and {@code PodTemplateMountDecorator} do it, with the names and paths
 * they use; values the API server does not judge (commands, the config's content) are left out. The
 * main container ({@code flink-main-container}) is taken out of the template's containers and put
 * back last; Flink's volumes and mounts are added, not merged, so a template that reuses one of
 * their names makes a pod the API server refuses.
 */
final class FlinkPods {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private FlinkPods() {}

  static JsonNode jobManager(JsonNode deployment, JsonNode template) {
    ObjectNode pod = pod(deployment, template, "jobManager");
    ObjectNode main = main(pod);
    ports(main, "rest", 8081, "jobmanager-rpc", 6123, "blobserver", 6124);
    main.withArray("env").addObject().put("name", "_POD_IP_ADDRESS");
    mount(pod, main, "user-artifacts-volume", "/opt/flink/artifacts").putObject("emptyDir");
    if (deployment.path("spec").path("taskManager").has("podTemplate")
        || deployment.path("spec").has("podTemplate")) {
      mount(pod, main, "pod-template-volume", "/opt/flink/pod-template")
          .putObject("configMap")
          .put("name", "pod-template-" + clusterId(deployment));
    }
    return pod;
  }

  static JsonNode taskManager(JsonNode deployment, JsonNode template) {
    ObjectNode pod = pod(deployment, template, "taskManager");
    pod.with("spec").put("restartPolicy", "Never");
    ObjectNode main = main(pod);
    ports(main, "taskmanager-rpc", 6122);
    main.withArray("env").addObject().put("name", "_POD_NODE_ID");
    return pod;
  }

  private static ObjectNode pod(JsonNode deployment, JsonNode template, String component) {
    ObjectNode pod = MAPPER.createObjectNode().put("apiVersion", "v1").put("kind", "Pod");
    ObjectNode metadata =
        template != null && template.has("metadata")
            ? (ObjectNode) template.get("metadata").deepCopy()
            : MAPPER.createObjectNode();
    pod.set(
        "metadata", metadata.put("name", clusterId(deployment) + "-" + component.toLowerCase()));
    ObjectNode spec =
        template != null && template.has("spec")
            ? (ObjectNode) template.get("spec").deepCopy()
            : MAPPER.createObjectNode();
    pod.set("spec", spec);
    JsonNode flink = deployment.path("spec");
    spec.put("serviceAccountName", flink.path("serviceAccount").asText("default"));
    ArrayNode containers = spec.withArray("containers");
    ObjectNode main = null;
    for (int i = containers.size() - 1; i >= 0; i--) {
      if (containers.get(i).path("name").asText().equals(OperatorPodTemplates.MAIN_CONTAINER)) {
        main = main == null ? (ObjectNode) containers.get(i) : main; // the last one wins
        containers.remove(i);
      }
    }
    main = main == null ? MAPPER.createObjectNode() : main;
    main.put("name", OperatorPodTemplates.MAIN_CONTAINER);
    main.put("image", flink.path("image").asText());
    main.put("imagePullPolicy", flink.path("imagePullPolicy").asText("IfNotPresent"));
    JsonNode resource = flink.path(component).path("resource");
    ObjectNode resources = main.with("resources");
    for (String kind : new String[] {"requests", "limits"}) {
      resources
          .with(kind)
          .put("cpu", resource.path("cpu").asText("1"))
          .put("memory", memoryMi(resource.path("memory").asText("1024m")) + "Mi");
    }
    containers.add(main);
    mount(pod, main, "flink-config-volume", "/opt/flink/conf")
        .putObject("configMap")
        .put("name", "flink-config-" + clusterId(deployment));
    return pod;
  }

  private static ObjectNode main(ObjectNode pod) {
    ArrayNode containers = (ArrayNode) pod.get("spec").get("containers");
    return (ObjectNode) containers.get(containers.size() - 1);
  }

  /** Adds a volume and its mount on the main container; returns the volume, for its source. */
  private static ObjectNode mount(ObjectNode pod, ObjectNode main, String volume, String path) {
    main.withArray("volumeMounts").addObject().put("name", volume).put("mountPath", path);
    return pod.with("spec").withArray("volumes").addObject().put("name", volume);
  }

  private static void ports(ObjectNode main, Object... namesAndPorts) {
    ArrayNode ports = main.withArray("ports");
    for (int i = 0; i < namesAndPorts.length; i += 2) {
      ports
          .addObject()
          .put("name", (String) namesAndPorts[i])
          .put("containerPort", (Integer) namesAndPorts[i + 1])
          .put("protocol", "TCP");
    }
  }

  private static String clusterId(JsonNode deployment) {
    return deployment.path("metadata").path("name").asText();
  }

  /** A FlinkDeployment's memory ("8192m", "2g", or bytes) in MiB. */
  private static long memoryMi(String memory) {
    String m = memory.trim().toLowerCase();
    String number = m.replaceAll("[a-z]+$", "");
    return switch (m.substring(number.length())) {
      case "g", "gb" -> Long.parseLong(number) * 1024;
      case "m", "mb" -> Long.parseLong(number);
      default -> Long.parseLong(number) / (1024 * 1024);
    };
  }
}
