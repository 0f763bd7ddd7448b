package io.nagselector.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.nagselector.io.CrawlDecoder;
import io.nagselector.io.RecordFormat;
import io.nagselector.io.UserInputException;
import io.nagselector.pipeline.TargetDefinition;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * The job's configuration: a YAML file whose every key may be overridden by an environment variable
 * ({@code NAG_} + the key upper-cased, '.' and '-' as '_'); a key neither says takes its default
 * ({@link ConfigKeys}). Validated at start-up: an unknown key or a bad value fails with a message
 * naming the key.
 */
public final class JobConfig {
  private static final Map<String, ConfigKey<?>> KEYS = new TreeMap<>();

  static {
    ConfigKeys.ALL.forEach(key -> KEYS.put(key.name(), key));
  }

  private final Map<String, String> values;

  private JobConfig(Map<String, String> values) {
    this.values = values;
  }

  public static JobConfig load(Path file, Map<String, String> environment) {
    JsonNode root;
    try {
      root = new ObjectMapper(new YAMLFactory()).readTree(file.toFile());
    } catch (IOException e) {
      throw new UserInputException("config " + file + ": cannot read: " + e.getMessage(), e);
    }
    Map<String, String> values = new LinkedHashMap<>();
    flatten("", root, values, file);
    for (ConfigKey<?> key : ConfigKeys.ALL) {
      String env = environment.get(key.environmentVariable());
      if (env != null) {
        values.put(key.name(), env);
      }
      values.putIfAbsent(key.name(), key.defaultValue());
    }
    JobConfig config = new JobConfig(values);
    config.validate();
    return config;
  }

  private static void flatten(String prefix, JsonNode node, Map<String, String> out, Path file) {
    if (node == null || node.isNull()) {
      return;
    }
    if (!node.isObject()) {
      if (!KEYS.containsKey(prefix)) {
        throw new UserInputException(
            "config " + file + ": unknown key '" + prefix + "' (known: " + KEYS.keySet() + ")");
      }
      out.put(prefix, node.asText());
      return;
    }
    Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
    while (fields.hasNext()) {
      Map.Entry<String, JsonNode> e = fields.next();
      flatten(prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey(), e.getValue(), out, file);
    }
  }

  private void validate() {
    ConfigKeys.ALL.forEach(this::get);
    KafkaClientConfig.validate(this);
    nearDuplicates();
  }

  /** The {@code dedupe.near.*} settings, checked together. */
  public NearDuplicateSettings nearDuplicates() {
    try {
      return new NearDuplicateSettings(
          get(ConfigKeys.DEDUPE_NEAR_ENABLED),
          get(ConfigKeys.DEDUPE_NEAR_SHINGLE_SIZE),
          get(ConfigKeys.DEDUPE_NEAR_BANDS),
          get(ConfigKeys.DEDUPE_NEAR_ROWS),
          get(ConfigKeys.DEDUPE_NEAR_MAX_WORDS),
          get(ConfigKeys.DEDUPE_NEAR_THRESHOLD),
          get(ConfigKeys.DEDUPE_NEAR_TTL));
    } catch (IllegalArgumentException e) {
      throw new UserInputException("config: " + e.getMessage());
    }
  }

  /** A key's value. */
  public <T> T get(ConfigKey<T> key) {
    return key.parse(values.get(key.name()));
  }

  public CrawlDecoder.Format format() {
    return get(ConfigKeys.INPUT_FORMAT).equals("json")
        ? CrawlDecoder.Format.JSON
        : CrawlDecoder.Format.AVRO;
  }

  /** How the job writes its output topics. */
  public RecordFormat outputFormat() {
    return RecordFormat.of(get(ConfigKeys.OUTPUT_FORMAT));
  }

  /** How commands on the control topic are written. */
  public RecordFormat controlFormat() {
    return RecordFormat.of(get(ConfigKeys.CONTROL_FORMAT));
  }

  public TargetDefinition.Policy defaultPolicy() {
    return get(ConfigKeys.SELECTION_DEFAULT_POLICY).equals("threshold")
        ? TargetDefinition.Policy.THRESHOLD
        : TargetDefinition.Policy.FRACTION;
  }
}
