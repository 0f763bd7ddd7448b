package io.nagselector.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The API server's rules for a Pod that its schema does not encode and a template mistake can break
 * (Kubernetes' {@code pkg/apis/core/validation/validation.go}, v1.34): one source per volume
 * ({@code validateVolumeSource}), unique volume names ({@code ValidateVolumes}), every mount naming
 * a volume of the pod, at a path unique in its container ({@code ValidateVolumeMounts}), unique
 * container names ({@code validateContainers}, {@code validateInitContainers}) and port names
 * ({@code validateContainerPorts}).
 */
final class PodRules {
  private PodRules() {}

  static List<String> violations(JsonNode pod) {
    List<String> out = new ArrayList<>();
    JsonNode spec = pod.path("spec");
    Set<String> volumes = new HashSet<>();
    for (JsonNode volume : spec.path("volumes")) {
      String name = volume.path("name").asText();
      if (!volumes.add(name)) {
        out.add("volume " + name + ": a second volume of that name");
      }
      List<String> sources = new ArrayList<>();
      volume.fieldNames().forEachRemaining(f -> sources.add(f));
      sources.remove("name");
      if (sources.size() > 1) {
        out.add("volume " + name + ": may not specify more than 1 volume type " + sources);
      } else if (sources.isEmpty()) {
        out.add("volume " + name + ": must specify a volume type");
      }
    }
    Set<String> containers = new HashSet<>();
    for (String list : List.of("initContainers", "containers")) {
      for (JsonNode container : spec.path(list)) {
        String name = container.path("name").asText();
        if (!containers.add(name)) {
          out.add("container " + name + ": a second container of that name");
        }
        mounts(container, name, volumes, out);
        ports(container, name, out);
      }
    }
    return out;
  }

  private static void mounts(
      JsonNode container, String name, Set<String> volumes, List<String> out) {
    Set<String> paths = new HashSet<>();
    for (JsonNode mount : container.path("volumeMounts")) {
      String volume = mount.path("name").asText();
      String path = mount.path("mountPath").asText();
      if (!volumes.contains(volume)) {
        out.add("container " + name + ": mount " + path + " names no volume of the pod: " + volume);
      }
      if (!paths.add(path)) {
        out.add("container " + name + ": a second mount at " + path);
      }
    }
  }

  private static void ports(JsonNode container, String name, List<String> out) {
    Set<String> names = new HashSet<>();
    for (JsonNode port : container.path("ports")) {
      if (port.has("name") && !names.add(port.get("name").asText())) {
        out.add("container " + name + ": a second port named " + port.get("name").asText());
      }
    }
  }
}
