package io.nagselector.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.nagselector.io.CrawlDecoder;
import io.nagselector.io.UserInputException;
import io.nagselector.model.Compute;
import io.nagselector.model.NeuronType;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The job's configuration: a YAML file whose every key may be overridden by an environment variable
 * ({@code NAG_} + the key upper-cased, '.' and '-' as '_'). Validated at start-up: an unknown key
 * or a bad value fails with a message naming the key.
 */
public final class JobConfig {
  private static final Set<String> KEYS =
      new TreeSet<>(
          List.of(
              "kafka.bootstrap-servers",
              "kafka.security-protocol",
              "kafka.sasl-mechanism",
              "kafka.sasl-username",
              "kafka.sasl-password",
              "kafka.ssl-truststore",
              "model.device",
              "model.dtype",
              "kafka.group-id",
              "kafka.transactional-id-prefix",
              "kafka.transaction-timeout",
              "kafka.topics.crawl",
              "kafka.topics.control",
              "kafka.topics.selected",
              "kafka.topics.dead-letter",
              "kafka.topics.top-k",
              "kafka.topics.features",
              "kafka.topics.duplicates",
              "kafka.topics.control-events",
              "kafka.topics.targets",
              "targets.max-examples",
              "targets.max-example-bytes",
              "targets.max-targets",
              "targets.max-command-bytes",
              "targets.max-top-k",
              "targets.max-command-ids",
              "input.format",
              "input.max-text-bytes",
              "model.path",
              "model.top-k",
              "model.max-length",
              "model.neuron-type",
              "model.batch-size",
              "model.max-batch-tokens",
              "model.max-wait",
              "model.workers",
              "extraction.async-capacity",
              "extraction.async-timeout",
              "extraction.max-attempts",
              "extraction.retry-backoff",
              "dedupe.ttl",
              "selection.shards",
              "selection.warm-up",
              "selection.default-policy",
              "selection.default-value",
              "selection.top-k",
              "selection.top-k-interval",
              "checkpoints.interval",
              "checkpoints.dir"));
  private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m|h|d)");

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
    for (String key : KEYS) {
      String env = "NAG_" + key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
      if (environment.containsKey(env)) {
        values.put(key, environment.get(env));
      }
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
      if (!KEYS.contains(prefix)) {
        throw new UserInputException(
            "config " + file + ": unknown key '" + prefix + "' (known: " + KEYS + ")");
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
    for (String key : KEYS) {
      if (!values.containsKey(key)) {
        throw new UserInputException("config: missing key '" + key + "'");
      }
    }
    format();
    KafkaClientConfig.validate(this);
    modelDevice();
    Compute.dtypeName(string("model.dtype").trim(), "config: model.dtype");
    positive("input.max-text-bytes");
    positive("model.top-k");
    positive("model.max-length");
    neuronType();
    positive("model.batch-size");
    positive("model.max-batch-tokens");
    duration("model.max-wait");
    positive("model.workers");
    positive("targets.max-examples");
    positive("targets.max-example-bytes");
    positive("targets.max-targets");
    positive("targets.max-command-bytes");
    positive("targets.max-top-k");
    positive("targets.max-command-ids");
    positive("extraction.async-capacity");
    duration("extraction.async-timeout");
    positive("extraction.max-attempts");
    duration("extraction.retry-backoff");
    duration("dedupe.ttl");
    positive("selection.shards");
    nonNegative("selection.warm-up");
    defaultPolicy();
    defaultValue();
    positive("selection.top-k");
    duration("selection.top-k-interval");
    duration("checkpoints.interval");
    duration("kafka.transaction-timeout");
  }

  /** cpu or gpu (whether a GPU is visible is checked where the model loads). */
  public String modelDevice() {
    String device = string("model.device").trim();
    if (!device.equals("cpu") && !device.equals("gpu")) {
      throw new UserInputException("config: model.device must be cpu or gpu, got '" + device + "'");
    }
    return device;
  }

  public String string(String key) {
    return values.get(key);
  }

  public int positive(String key) {
    return integer(key, 1);
  }

  public int nonNegative(String key) {
    return integer(key, 0);
  }

  private int integer(String key, int minimum) {
    try {
      int v = Integer.parseInt(values.get(key).trim());
      if (v < minimum) {
        throw new NumberFormatException();
      }
      return v;
    } catch (NumberFormatException e) {
      throw new UserInputException(
          "config: "
              + key
              + " must be an integer >= "
              + minimum
              + ", got '"
              + values.get(key)
              + "'");
    }
  }

  public Duration duration(String key) {
    return parseDuration(values.get(key), "config: " + key);
  }

  /** A positive duration such as 500ms, 30s, 5m, 2h or 7d; {@code what} names it in the error. */
  public static Duration parseDuration(String text, String what) {
    Matcher m = DURATION.matcher(text.trim());
    if (!m.matches() || Long.parseLong(m.group(1)) == 0) {
      throw new UserInputException(
          what
              + " must be a positive duration such as 500ms, 30s, 5m, 2h or 7d, got '"
              + text
              + "'");
    }
    long n = Long.parseLong(m.group(1));
    return switch (m.group(2)) {
      case "ms" -> Duration.ofMillis(n);
      case "s" -> Duration.ofSeconds(n);
      case "m" -> Duration.ofMinutes(n);
      case "h" -> Duration.ofHours(n);
      default -> Duration.ofDays(n);
    };
  }

  public CrawlDecoder.Format format() {
    return switch (values.get("input.format").trim()) {
      case "avro" -> CrawlDecoder.Format.AVRO;
      case "json" -> CrawlDecoder.Format.JSON;
      default ->
          throw new UserInputException(
              "config: input.format must be avro or json, got '"
                  + values.get("input.format")
                  + "'");
    };
  }

  public NeuronType neuronType() {
    try {
      return NeuronType.parseList(values.get("model.neuron-type")).get(0);
    } catch (IllegalArgumentException e) {
      throw new UserInputException("config: model.neuron-type: " + e.getMessage());
    }
  }

  public TargetDefinition.Policy defaultPolicy() {
    return switch (values.get("selection.default-policy").trim()) {
      case "fraction" -> TargetDefinition.Policy.FRACTION;
      case "threshold" -> TargetDefinition.Policy.THRESHOLD;
      default ->
          throw new UserInputException(
              "config: selection.default-policy must be fraction or threshold, got '"
                  + values.get("selection.default-policy")
                  + "'");
    };
  }

  public double defaultValue() {
    try {
      double v = Double.parseDouble(values.get("selection.default-value").trim());
      if (!(v > 0 && v <= 1)) {
        throw new NumberFormatException();
      }
      return v;
    } catch (NumberFormatException e) {
      throw new UserInputException(
          "config: selection.default-value must be a number in (0, 1], got '"
              + values.get("selection.default-value")
              + "'");
    }
  }
}
