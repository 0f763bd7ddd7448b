package io.nagselector.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A Pod checked as the API server checks it: against the Pod schema of Kubernetes' published
 * OpenAPI document (v1.34, vendored in src/test/resources/deploy/kubernetes-1.34-pod-openapi.json:
 * the Pod's closure of {@code api/openapi-spec/v3/api__v1_openapi.json}) under strict field
 * validation, and against the rules of {@code pkg/apis/core/validation} that the schema does not
 * encode ({@link PodRules}).
 */
final class PodSchema {
  private static final String REF = "#/components/schemas/";
  private static final String POD = "io.k8s.api.core.v1.Pod";
  private static final String QUANTITY = "io.k8s.apimachinery.pkg.api.resource.Quantity";

  /** What the API server's quantity parser accepts (apimachinery's resource.ParseQuantity). */
  private static final Pattern QUANTITY_SYNTAX =
      Pattern.compile("[+-]?[0-9]*(?:\\.[0-9]*)?(?:[numkMGTPE]|[KMGTPE]i|[eE][+-]?[0-9]+)?");

  private static final JsonNode SCHEMAS = load();

  private PodSchema() {}

  private static JsonNode load() {
    try {
      return new ObjectMapper()
          .readTree(new File("tools/src/test/resources/deploy/kubernetes-1.34-pod-openapi.json"))
          .path("components")
          .path("schemas");
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Every violation of {@code pod}, each with its path; empty when the API server takes it. */
  static List<String> violations(JsonNode pod) {
    List<String> out = new ArrayList<>();
    check(SCHEMAS.get(POD), pod, "pod", out);
    out.addAll(PodRules.violations(pod));
    return out;
  }

  private static void check(JsonNode schema, JsonNode value, String path, List<String> out) {
    if (value.isNull()) {
      return; // a built-in type reads null as unset
    }
    if (schema.has("$ref")) {
      String name = schema.get("$ref").asText().substring(REF.length());
      if (name.equals(QUANTITY)) {
        quantity(value, path, out);
      } else {
        check(SCHEMAS.get(name), value, path, out);
      }
      return;
    }
    for (JsonNode branch : schema.path("allOf")) {
      check(branch, value, path, out);
    }
    if (schema.has("oneOf")) { // IntOrString's {integer | string}
      int matching = 0;
      for (JsonNode branch : schema.get("oneOf")) {
        List<String> errors = new ArrayList<>();
        check(branch, value, path, errors);
        matching += errors.isEmpty() ? 1 : 0;
      }
      if (matching != 1) {
        out.add(path + ": matches " + matching + " of " + schema.get("oneOf"));
      }
      return;
    }
    switch (schema.path("type").asText()) {
      case "object" -> object(schema, value, path, out);
      case "array" -> {
        if (!value.isArray()) {
          out.add(path + ": not an array");
          return;
        }
        for (int i = 0; i < value.size(); i++) {
          check(schema.path("items"), value.get(i), path + "[" + i + "]", out);
        }
      }
      case "string" -> expect(value.isTextual(), "a string", value, path, out);
      case "boolean" -> expect(value.isBoolean(), "a boolean", value, path, out);
      case "number" -> expect(value.isNumber(), "a number", value, path, out);
      case "integer" -> {
        boolean int32 = schema.path("format").asText().equals("int32");
        expect(
            value.isIntegralNumber()
                && (int32 ? value.canConvertToInt() : value.canConvertToLong()),
            int32 ? "an int32" : "an int64",
            value,
            path,
            out);
      }
      default -> {}
    }
  }

  private static void object(JsonNode schema, JsonNode value, String path, List<String> out) {
    if (!value.isObject()) {
      out.add(path + ": not an object");
      return;
    }
    JsonNode properties = schema.get("properties");
    JsonNode additional = schema.get("additionalProperties");
    if (properties == null && additional == null) {
      return; // free-form
    }
    value
        .fields()
        .forEachRemaining(
            f -> {
              String at = path + "." + f.getKey();
              JsonNode property = properties == null ? null : properties.get(f.getKey());
              if (property != null) {
                check(property, f.getValue(), at, out);
              } else if (additional != null && additional.isObject()) {
                check(additional, f.getValue(), at, out);
              } else {
                out.add(at + ": unknown field");
              }
            });
    for (JsonNode required : schema.path("required")) {
      if (value.path(required.asText()).isMissingNode()) {
        out.add(path + ": missing required field " + required.asText());
      }
    }
  }

  private static void expect(
      boolean ok, String what, JsonNode value, String path, List<String> out) {
    if (!ok) {
      out.add(path + ": not " + what + " (" + value + ")");
    }
  }

  private static void quantity(JsonNode value, String path, List<String> out) {
    String text = value.isTextual() ? value.asText().strip() : value.isNumber() ? "0" : null;
    if (text == null || text.isEmpty() || !QUANTITY_SYNTAX.matcher(text).matches()) {
      out.add(path + ": not a quantity (" + value + ")");
    }
  }
}
