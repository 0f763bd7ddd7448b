package io.nagselector.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * A custom resource's schema as a release of its operator publishes it in the CRD, checked as the
 * API server does under {@code kubectl apply}'s strict field validation: an unknown field, a wrong
 * type, a missing required field or a value outside an enum is a violation. It reads the structural
 * schema's own rules (properties, additionalProperties, items, required, enum, nullable, anyOf,
 * x-kubernetes-int-or-string, x-kubernetes-preserve-unknown-fields); {@code metadata} is the API
 * server's and is not checked here.
 */
final class CrdSchema {
  private final String group;
  private final String kind;
  private final String version;
  private final JsonNode schema;

  private CrdSchema(String group, String kind, String version, JsonNode schema) {
    this.group = group;
    this.kind = kind;
    this.version = version;
    this.schema = schema;
  }

  /** The schema of {@code version} in a CRD file; fails when that version is not served. */
  static CrdSchema load(Path crd, String version) throws Exception {
    JsonNode root = new ObjectMapper(new YAMLFactory()).readTree(crd.toFile());
    JsonNode spec = root.path("spec");
    for (JsonNode v : spec.path("versions")) {
      if (v.path("name").asText().equals(version)) {
        if (!v.path("served").asBoolean()) {
          throw new AssertionError(crd + ": version " + version + " is not served");
        }
        return new CrdSchema(
            spec.path("group").asText(),
            spec.path("names").path("kind").asText(),
            version,
            v.path("schema").path("openAPIV3Schema"));
      }
    }
    throw new AssertionError(crd + ": no version " + version);
  }

  String apiVersion() {
    return group + "/" + version;
  }

  /** What the API server would refuse in {@code resource}; empty when it would accept it. */
  List<String> violations(JsonNode resource) {
    List<String> out = new ArrayList<>();
    if (!resource.path("apiVersion").asText().equals(apiVersion())
        || !resource.path("kind").asText().equals(kind)) {
      out.add(
          "is "
              + resource.path("apiVersion").asText()
              + " "
              + resource.path("kind").asText()
              + ", the schema is for "
              + apiVersion()
              + " "
              + kind);
      return out;
    }
    Iterator<Map.Entry<String, JsonNode>> fields = resource.fields();
    while (fields.hasNext()) {
      Map.Entry<String, JsonNode> f = fields.next();
      if (f.getKey().equals("metadata")
          || f.getKey().equals("apiVersion")
          || f.getKey().equals("kind")) {
        continue; // the API server's, and checked above
      }
      JsonNode property = schema.path("properties").get(f.getKey());
      if (property == null) {
        out.add("." + f.getKey() + ": unknown field");
      } else {
        check(property, f.getValue(), "." + f.getKey(), out);
      }
    }
    return out;
  }

  private static void check(JsonNode s, JsonNode value, String path, List<String> out) {
    if (value.isNull()) {
      if (!s.path("nullable").asBoolean()) {
        out.add(path + ": null");
      }
      return;
    }
    if (s.path("x-kubernetes-int-or-string").asBoolean()) {
      if (!value.isIntegralNumber() && !value.isTextual()) {
        out.add(path + ": neither an integer nor a string");
      }
      return;
    }
    if (s.has("anyOf") && !s.has("type")) {
      for (JsonNode branch : s.get("anyOf")) {
        List<String> inBranch = new ArrayList<>();
        check(branch, value, path, inBranch);
        if (inBranch.isEmpty()) {
          return;
        }
      }
      out.add(path + ": matches none of anyOf");
      return;
    }
    String type = s.path("type").asText();
    switch (type) {
      case "object" -> checkObject(s, value, path, out);
      case "array" -> {
        if (!value.isArray()) {
          out.add(path + ": not an array");
          return;
        }
        for (int i = 0; i < value.size(); i++) {
          check(s.path("items"), value.get(i), path + "[" + i + "]", out);
        }
      }
      case "string" -> {
        if (!value.isTextual()) {
          out.add(path + ": not a string (" + value + ")");
        }
      }
      case "integer" -> {
        if (!value.isIntegralNumber()) {
          out.add(path + ": not an integer (" + value + ")");
        }
      }
      case "number" -> {
        if (!value.isNumber()) {
          out.add(path + ": not a number (" + value + ")");
        }
      }
      case "boolean" -> {
        if (!value.isBoolean()) {
          out.add(path + ": not a boolean (" + value + ")");
        }
      }
      default -> {
        if (!s.path("x-kubernetes-preserve-unknown-fields").asBoolean() && !type.isEmpty()) {
          out.add(path + ": a schema type this check does not know: " + type);
        }
      }
    }
    if (s.has("enum")) {
      boolean listed = false;
      for (JsonNode e : s.get("enum")) {
        listed |= e.equals(value) || e.asText().equals(value.asText());
      }
      if (!listed) {
        out.add(path + ": " + value + " is not one of " + s.get("enum"));
      }
    }
  }

  private static void checkObject(JsonNode s, JsonNode value, String path, List<String> out) {
    if (!value.isObject()) {
      out.add(path + ": not an object");
      return;
    }
    boolean keepsUnknown = s.path("x-kubernetes-preserve-unknown-fields").asBoolean();
    JsonNode additional = s.get("additionalProperties");
    Iterator<Map.Entry<String, JsonNode>> fields = value.fields();
    while (fields.hasNext()) {
      Map.Entry<String, JsonNode> f = fields.next();
      JsonNode property = s.path("properties").get(f.getKey());
      String at = path + "." + f.getKey();
      if (property != null) {
        check(property, f.getValue(), at, out);
      } else if (additional != null && additional.isObject()) {
        check(additional, f.getValue(), at, out);
      } else if (!keepsUnknown && !(additional != null && additional.asBoolean())) {
        out.add(at + ": unknown field");
      }
    }
    for (JsonNode required : s.path("required")) {
      if (!value.has(required.asText())) {
        out.add(path + ": missing required field " + required.asText());
      }
    }
  }
}
