package io.nagselector.deploy;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.File;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Renders kustomizations and binds resources strictly to their operators' model classes. */
final class Manifests {
  /** Jackson fails on a field the model class does not have. */
  static final ObjectMapper STRICT =
      new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true);

  private Manifests() {}

  /** {@code kubectl kustomize DIR} (or {@code kustomize build DIR}), as YAML documents. */
  static List<JsonNode> render(Path dir) throws Exception {
    List<String> command =
        onPath("kubectl") != null
            ? List.of(onPath("kubectl"), "kustomize", dir.toString())
            : onPath("kustomize") != null
                ? List.of(onPath("kustomize"), "build", dir.toString())
                : null;
    if (command == null) {
      throw new IllegalStateException(
          "rendering the manifests needs kubectl or kustomize on the PATH");
    }
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IllegalStateException("kustomize " + dir + " failed:\n" + out);
    }
    List<JsonNode> docs = new ArrayList<>();
    new ObjectMapper(new YAMLFactory())
        .readerFor(JsonNode.class)
        .readValues(out)
        .forEachRemaining(d -> docs.add((JsonNode) d));
    return docs;
  }

  static JsonNode one(List<JsonNode> docs, String kind, String name) {
    List<JsonNode> found =
        docs.stream()
            .filter(
                d ->
                    d.path("kind").asText().equals(kind)
                        && d.path("metadata").path("name").asText().equals(name))
            .toList();
    if (found.size() != 1) {
      throw new AssertionError(found.size() + " resources " + kind + "/" + name);
    }
    return found.get(0);
  }

  static List<JsonNode> all(List<JsonNode> docs, String kind) {
    return docs.stream().filter(d -> d.path("kind").asText().equals(kind)).toList();
  }

  /**
   * Binds {@code node} to {@code type} strictly: Jackson fails on unknown fields; the fabric8 and
   * Strimzi model classes, which keep unknown fields in {@code additionalProperties} instead, must
   * have kept none anywhere; and classes that ignore unknown fields must not have dropped any
   * (every field of the input is in the bound value written back).
   */
  static <T> T bind(JsonNode node, Class<T> type) throws Exception {
    T value = STRICT.treeToValue(node, type);
    List<String> unknown = new ArrayList<>();
    unknownFields(value, type.getSimpleName(), unknown, new IdentityHashMap<>());
    dropped(node, STRICT.valueToTree(value), type.getSimpleName(), unknown);
    if (!unknown.isEmpty()) {
      throw new AssertionError("unknown fields: " + unknown);
    }
    return value;
  }

  private static void dropped(JsonNode in, JsonNode out, String path, List<String> unknown) {
    if (in.isObject()) {
      in.fieldNames()
          .forEachRemaining(
              f -> {
                if (out == null || !out.has(f)) {
                  unknown.add(path + "." + f);
                } else {
                  dropped(in.get(f), out.get(f), path + "." + f, unknown);
                }
              });
    } else if (in.isArray() && out != null && out.isArray()) {
      for (int i = 0; i < in.size(); i++) {
        dropped(in.get(i), out.get(i), path + "[" + i + "]", unknown);
      }
    }
  }

  private static void unknownFields(
      Object value, String path, List<String> out, IdentityHashMap<Object, Boolean> seen)
      throws Exception {
    if (value == null || seen.put(value, true) != null) {
      return;
    }
    if (value instanceof Collection<?> c) {
      int i = 0;
      for (Object item : c) {
        unknownFields(item, path + "[" + i++ + "]", out, seen);
      }
      return;
    }
    if (value instanceof Map<?, ?> m) {
      for (Map.Entry<?, ?> e : m.entrySet()) {
        unknownFields(e.getValue(), path + "." + e.getKey(), out, seen);
      }
      return;
    }
    String pkg = value.getClass().getPackageName();
    if (!pkg.startsWith("io.fabric8")
        && !pkg.startsWith("io.strimzi")
        && !pkg.startsWith("org.apache.flink.kubernetes")) {
      return;
    }
    for (Method m : value.getClass().getMethods()) {
      if (m.getParameterCount() != 0
          || Modifier.isStatic(m.getModifiers())
          || !m.getName().startsWith("get")
          || m.getName().equals("getClass")) {
        continue;
      }
      Object child;
      try {
        child = m.invoke(value);
      } catch (ReflectiveOperationException | RuntimeException e) {
        continue;
      }
      if (m.getName().equals("getAdditionalProperties")) {
        if (child instanceof Map<?, ?> extra && !extra.isEmpty()) {
          out.add(path + ": " + extra.keySet());
        }
      } else {
        unknownFields(child, path + "." + m.getName().substring(3), out, seen);
      }
    }
  }

  static String onPath(String name) {
    for (String dir : System.getenv("PATH").split(File.pathSeparator)) {
      Path p = Path.of(dir, name);
      if (Files.isExecutable(p)) {
        return p.toString();
      }
    }
    return null;
  }
}
