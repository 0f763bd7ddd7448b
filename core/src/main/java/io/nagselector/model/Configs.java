package io.nagselector.model;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;

/** Small helpers for reading config.json. */
final class Configs {
  private Configs() {}

  static int requiredInt(JsonNode config, String key, Path file) {
    JsonNode v = config.path(key);
    if (!v.isIntegralNumber() || v.asInt() <= 0) {
      throw new ModelException(file + ": " + key + " must be a positive integer, got " + v);
    }
    return v.asInt();
  }
}
