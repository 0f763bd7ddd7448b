package io.nagselector.job;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.nagselector.dataset.DatasetSink;
import io.nagselector.dataset.PartitionPath;
import io.nagselector.duplicates.near.NearDuplicateSettings;
import io.nagselector.io.CrawlDecoder;
import io.nagselector.io.RecordFormat;
import io.nagselector.io.UserInputException;
import io.nagselector.pipeline.TargetDefinition;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
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

  /** The Parquet dataset sink, if {@code dataset.path} is set; a path that is no URI is refused. */
  public Optional<DatasetSink> dataset() {
    String path = get(ConfigKeys.DATASET_PATH).trim();
    if (path.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(datasetAt(path));
  }

  /** A Parquet dataset sink at {@code path}, with this config's shard settings. */
  public DatasetSink datasetAt(String path) {
    URI uri;
    try {
      uri = new URI(path);
    } catch (URISyntaxException e) {
      throw new UserInputException("dataset.path '" + path + "' is not a URI: " + e.getMessage());
    }
    if (uri.getScheme() == null) {
      throw new UserInputException(
          "dataset.path '"
              + path
              + "' needs a scheme: file:///absolute/path or s3://bucket/prefix");
    }
    if (uri.getScheme().equals("s3p")) {
      throw new UserInputException(
          "dataset.path '"
              + path
              + "': s3p:// is Flink's Presto S3 filesystem, which cannot write files exactly once;"
              + " use s3a:// (or s3://) with the flink-s3-fs-hadoop plugin");
    }
    return new DatasetSink(
        path,
        get(ConfigKeys.DATASET_MAX_SHARD_MB) * 1024L * 1024L,
        get(ConfigKeys.DATASET_MAX_SHARD_AGE),
        get(ConfigKeys.DATASET_ROW_GROUP_MB) * 1024L * 1024L,
        PartitionPath.parse(
            get(ConfigKeys.DATASET_PARTITIONING), ConfigKeys.DATASET_PARTITIONING.name()));
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
