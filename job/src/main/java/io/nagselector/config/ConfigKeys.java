package io.nagselector.config;

import io.nagselector.model.NeuronType;
import java.time.Duration;
import java.util.List;

/**
 * Every key of the job's configuration, typed, with its default and what it does. Loading, the
 * {@code NAG_*} overrides, validation and the README's table all come from this list.
 */
public final class ConfigKeys {
  private ConfigKeys() {}

  public static final ConfigKey<String> KAFKA_BOOTSTRAP_SERVERS =
      ConfigKey.text("kafka.bootstrap-servers", "127.0.0.1:9092", "the brokers");

  public static final ConfigKey<String> KAFKA_SECURITY_PROTOCOL =
      ConfigKey.choice(
          "kafka.security-protocol",
          "PLAINTEXT",
          "for every client of the job and of the commands",
          "PLAINTEXT",
          "SSL",
          "SASL_PLAINTEXT",
          "SASL_SSL");

  public static final ConfigKey<String> KAFKA_SASL_MECHANISM =
      ConfigKey.choice(
          "kafka.sasl-mechanism",
          "SCRAM-SHA-512",
          "with `SASL_*`",
          "SCRAM-SHA-512",
          "SCRAM-SHA-256",
          "PLAIN");

  public static final ConfigKey<String> KAFKA_SASL_USERNAME =
      ConfigKey.text("kafka.sasl-username", "", "with `SASL_*`");

  public static final ConfigKey<String> KAFKA_SASL_PASSWORD =
      ConfigKey.text(
          "kafka.sasl-password",
          "",
          "with `SASL_*`: the password, or better a reference Kafka's clients resolve where they start (`${env:VAR}`, `${file:/path.properties:key}`, `${directory:/dir:file}`), so that the job graph holds no secret");

  public static final ConfigKey<String> KAFKA_SSL_TRUSTSTORE =
      ConfigKey.text(
          "kafka.ssl-truststore",
          "",
          "a PEM file of the CAs to trust (Strimzi's `ca.crt`); empty: the JVM's");

  public static final ConfigKey<String> KAFKA_GROUP_ID =
      ConfigKey.text("kafka.group-id", "nag-selector", "the consumer group of the job's sources");

  public static final ConfigKey<String> KAFKA_TRANSACTIONAL_ID_PREFIX =
      ConfigKey.text("kafka.transactional-id-prefix", "nag-selector", "of the exactly-once sinks");

  public static final ConfigKey<Duration> KAFKA_TRANSACTION_TIMEOUT =
      ConfigKey.duration(
          "kafka.transaction-timeout",
          "1h",
          "the exactly-once sinks' transactions; refused at start-up below 2 × (checkpoint interval + checkpoint timeout + longest restart backoff) or above the brokers' `transaction.max.timeout.ms` ([why](deployment.md#exactly-once-timing-kafkatransaction-timeout))");

  public static final ConfigKey<String> KAFKA_TOPICS_CRAWL =
      ConfigKey.topic("kafka.topics.crawl", "crawl", "input: the crawled documents");

  public static final ConfigKey<String> KAFKA_TOPICS_CONTROL =
      ConfigKey.topic("kafka.topics.control", "control", "input: target commands");

  public static final ConfigKey<String> KAFKA_TOPICS_CONTROL_EVENTS =
      ConfigKey.topic(
          "kafka.topics.control-events",
          "control-events",
          "the answer to every control command (APPLIED / REJECTED)");

  public static final ConfigKey<String> KAFKA_TOPICS_TARGETS =
      ConfigKey.topic(
          "kafka.topics.targets",
          "targets",
          "compacted, keyed by target: the registry after each applied command");

  public static final ConfigKey<String> KAFKA_TOPICS_SELECTED =
      ConfigKey.topic("kafka.topics.selected", "selected", "the selected documents");

  public static final ConfigKey<String> KAFKA_TOPICS_DEAD_LETTER =
      ConfigKey.topic(
          "kafka.topics.dead-letter",
          "dead-letters",
          "bad input and failed extractions, with a machine-readable reason");

  public static final ConfigKey<String> KAFKA_TOPICS_TOP_K =
      ConfigKey.topic(
          "kafka.topics.top-k",
          "top-k",
          "compacted, keyed by target: each target's best documents");

  public static final ConfigKey<String> KAFKA_TOPICS_FEATURES =
      ConfigKey.optionalTopic(
          "kafka.topics.features",
          "",
          "every document's NAG (for `target backfill`, `report`); empty: off");

  public static final ConfigKey<String> KAFKA_TOPICS_DUPLICATES =
      ConfigKey.optionalTopic(
          "kafka.topics.duplicates",
          "",
          "exact and near-duplicates skipped before inference; empty: off");

  public static final ConfigKey<String> INPUT_FORMAT =
      ConfigKey.choice(
          "input.format",
          "avro",
          "the crawl records: Avro single-object encoding, or JSON",
          "avro",
          "json");

  public static final ConfigKey<String> OUTPUT_FORMAT =
      ConfigKey.choice(
          "output.format",
          "avro",
          "every output topic's records: Avro single-object encoding, or one JSON object each"
              + " (the Avro field names)",
          "avro",
          "json");

  public static final ConfigKey<String> CONTROL_FORMAT =
      ConfigKey.choice(
          "control.format",
          "avro",
          "the control topic's commands: Avro single-object encoding, or one JSON object each"
              + " (the TargetCommand field names, checked as strictly)",
          "avro",
          "json");

  public static final ConfigKey<Integer> INPUT_MAX_TEXT_BYTES =
      ConfigKey.positive("input.max-text-bytes", "1000000", "longer texts are dead-lettered");

  public static final ConfigKey<String> MODEL_PATH =
      ConfigKey.text(
          "model.path",
          "default",
          "`default` (the bundled all-MiniLM-L6-v2) or a Hugging Face checkpoint directory");

  public static final ConfigKey<Integer> MODEL_TOP_K =
      ConfigKey.positive("model.top-k", "20", "K: neurons kept per layer");

  public static final ConfigKey<Integer> MODEL_MAX_LENGTH =
      ConfigKey.positive("model.max-length", "120", "tokens kept per document");

  public static final ConfigKey<NeuronType> MODEL_NEURON_TYPE =
      ConfigKey.neuronType(
          "model.neuron-type",
          "fwd_up",
          "which projection: `fwd_up`, `fwd_down`, `att_q`, `att_k`, `att_v` or `att_o`");

  public static final ConfigKey<Integer> MODEL_BATCH_SIZE =
      ConfigKey.positive("model.batch-size", "16", "documents per batch at most");

  public static final ConfigKey<Integer> MODEL_MAX_BATCH_TOKENS =
      ConfigKey.positive("model.max-batch-tokens", "4096", "padded tokens per batch at most");

  public static final ConfigKey<Duration> MODEL_MAX_WAIT =
      ConfigKey.duration("model.max-wait", "20ms", "how long a batch waits to fill");

  public static final ConfigKey<Integer> MODEL_WORKERS =
      ConfigKey.positive(
          "model.workers",
          "2",
          "batches run at once; libtorch gets cores / workers threads for each");

  public static final ConfigKey<String> MODEL_DEVICE =
      ConfigKey.choice(
          "model.device",
          "cpu",
          "`gpu` needs a CUDA libtorch (the CUDA image) and a visible GPU",
          "cpu",
          "gpu");

  public static final ConfigKey<String> MODEL_DTYPE =
      ConfigKey.dtype(
          "model.dtype",
          "auto",
          "fp32, or fp16: the linear layers' matmuls in half precision (a GPU's tensor cores), the"
              + " residual stream, norms and impacts in fp32; `auto` is fp32; bf16 is refused,"
              + " because DJL 0.36's PyTorch JNI has no bfloat16 and a bf16 tensor aborts the JVM");

  public static final ConfigKey<Integer> EXTRACTION_ASYNC_CAPACITY =
      ConfigKey.positive(
          "extraction.async-capacity",
          "1024",
          "documents in flight per parallel instance: the batcher's pool to group by length");

  public static final ConfigKey<Duration> EXTRACTION_ASYNC_TIMEOUT =
      ConfigKey.duration(
          "extraction.async-timeout",
          "5m",
          "per document, queueing and retries included: keep it above parallelism × async-capacity / documents per second");

  public static final ConfigKey<Integer> EXTRACTION_MAX_ATTEMPTS =
      ConfigKey.positive(
          "extraction.max-attempts",
          "3",
          "failed extractions are retried with exponential backoff, then dead-lettered");

  public static final ConfigKey<Duration> EXTRACTION_RETRY_BACKOFF =
      ConfigKey.duration("extraction.retry-backoff", "200ms", "the first retry's wait");

  public static final ConfigKey<Integer> TARGETS_MAX_EXAMPLES =
      ConfigKey.positive(
          "targets.max-examples",
          "10000",
          "per target, over all its UPSERT and ADD_EXAMPLES commands");

  public static final ConfigKey<Integer> TARGETS_MAX_EXAMPLE_BYTES =
      ConfigKey.positive(
          "targets.max-example-bytes",
          "100000",
          "per example text, in UTF-8 bytes, checked before any inference");

  public static final ConfigKey<Integer> TARGETS_MAX_TARGETS =
      ConfigKey.positive(
          "targets.max-targets", "100", "targets that exist at once (paused ones count)");

  public static final ConfigKey<Integer> TARGETS_MAX_COMMAND_BYTES =
      ConfigKey.positive(
          "targets.max-command-bytes",
          "8388608",
          "a control record over this is dead-lettered undecoded (raise the topic's `max.message.bytes` to match)");

  public static final ConfigKey<Integer> TARGETS_MAX_TOP_K =
      ConfigKey.positive(
          "targets.max-top-k",
          "10000",
          "the largest top-k a command may ask for (memory per target and shard)");

  public static final ConfigKey<Integer> TARGETS_MAX_COMMAND_IDS =
      ConfigKey.positive(
          "targets.max-command-ids",
          "100000",
          "command ids remembered: a command redelivered within the next this many commands is ignored ([streaming.md](streaming.md#retargeting-a-running-job))");

  public static final ConfigKey<Duration> DEDUPE_TTL =
      ConfigKey.duration("dedupe.ttl", "7d", "how long a text's hash is remembered");

  public static final ConfigKey<Duration> DEDUPE_ORDER_OUT_OF_ORDERNESS =
      ConfigKey.duration(
          "dedupe.order.out-of-orderness",
          "1s",
          "how far a crawl record's timestamp may trail the latest of its partition and still be"
              + " deduplicated in the stream's order; the dedupe stages wait this long in event time");

  public static final ConfigKey<Duration> DEDUPE_ORDER_QUIET_AFTER =
      ConfigKey.duration(
          "dedupe.order.quiet-after",
          "2s",
          "a crawl partition with no new record for this long, whose reader has found nothing to"
              + " read since, counts as caught up: its last records are deduplicated without"
              + " waiting for more");

  public static final ConfigKey<Boolean> DEDUPE_NEAR_ENABLED =
      ConfigKey.flag(
          "dedupe.near.enabled",
          "true",
          "skip near-duplicates before inference (MinHash and LSH, [streaming.md](streaming.md#near-duplicates))");

  public static final ConfigKey<Double> DEDUPE_NEAR_THRESHOLD =
      ConfigKey.unitInterval(
          "dedupe.near.threshold",
          "0.8",
          "the estimated Jaccard similarity of the shingles at or above which a text is a near-duplicate of an earlier one");

  public static final ConfigKey<Integer> DEDUPE_NEAR_SHINGLE_SIZE =
      ConfigKey.positive("dedupe.near.shingle-size", "5", "words per shingle");

  public static final ConfigKey<Integer> DEDUPE_NEAR_BANDS =
      ConfigKey.positive("dedupe.near.bands", "20", "LSH bands: state entries per remembered text");

  public static final ConfigKey<Integer> DEDUPE_NEAR_ROWS =
      ConfigKey.positive(
          "dedupe.near.rows",
          "8",
          "MinHash values per band; bands × rows permutations (at most 1,024)");

  public static final ConfigKey<Integer> DEDUPE_NEAR_MAX_WORDS =
      ConfigKey.positive(
          "dedupe.near.max-words", "100000", "words of a text read for its shingles");

  public static final ConfigKey<Duration> DEDUPE_NEAR_TTL =
      ConfigKey.duration(
          "dedupe.near.ttl",
          "1d",
          "how long a text's buckets and sketch are remembered (about 520 bytes of RocksDB per text: it sizes the disk)");

  public static final ConfigKey<String> DATASET_PATH =
      ConfigKey.text(
          "dataset.path",
          "",
          "where the selected documents are also written as a Parquet dataset, a filesystem URI"
              + " (file:///..., s3://bucket/...); empty: off");

  public static final ConfigKey<String> DATASET_PARTITIONING =
      ConfigKey.text(
          "dataset.partitioning",
          "target,version,date",
          "the folders a row goes under, in order: any of target, version, date, hour (UTC, of"
              + " the selection)");

  public static final ConfigKey<Integer> DATASET_MAX_SHARD_MB =
      ConfigKey.positive(
          "dataset.max-shard-mb",
          "256",
          "a shard is finished at this size (and on every checkpoint)");

  public static final ConfigKey<Duration> DATASET_MAX_SHARD_AGE =
      ConfigKey.duration("dataset.max-shard-age", "1h", "or when it has been open this long");

  public static final ConfigKey<Integer> DATASET_ROW_GROUP_MB =
      ConfigKey.positive(
          "dataset.row-group-mb", "32", "the Parquet row group size, for streaming readers");

  public static final ConfigKey<Integer> SELECTION_SHARDS =
      ConfigKey.positive(
          "selection.shards",
          "64",
          "virtual shards of the doc id; keep it well above the parallelism");

  public static final ConfigKey<Integer> SELECTION_WARM_UP =
      ConfigKey.nonNegative(
          "selection.warm-up",
          "1000",
          "documents of its stream a new fraction target version holds, then decides together,"
              + " before it decides each on arrival");

  public static final ConfigKey<Double> SELECTION_HOLD_SIGMAS =
      ConfigKey.nonNegativeNumber(
          "selection.hold-sigmas",
          "3",
          "a fraction target leaves undecided the documents within this many standard errors of"
              + " its running quantile, for its whole stream to decide; 0 decides each on arrival");

  public static final ConfigKey<Duration> SELECTION_MAX_HOLD =
      ConfigKey.duration(
          "selection.max-hold",
          "1m",
          "an undecided document is decided by the threshold in force after this long at most");

  public static final ConfigKey<String> SELECTION_DEFAULT_POLICY =
      ConfigKey.choice(
          "selection.default-policy",
          "fraction",
          "for commands that do not say",
          "fraction",
          "threshold");

  public static final ConfigKey<Double> SELECTION_DEFAULT_VALUE =
      ConfigKey.unitInterval(
          "selection.default-value",
          "0.2",
          "for commands that do not say: the fraction, or the threshold");

  public static final ConfigKey<Integer> SELECTION_TOP_K =
      ConfigKey.positive(
          "selection.top-k",
          "100",
          "documents in each target's published top-k, for commands that do not say");

  public static final ConfigKey<Duration> SELECTION_TOP_K_INTERVAL =
      ConfigKey.duration("selection.top-k-interval", "10s", "how often the top-k is published");

  public static final ConfigKey<Duration> CHECKPOINTS_INTERVAL =
      ConfigKey.duration(
          "checkpoints.interval",
          "30s",
          "RocksDB, incremental; on a Flink cluster only where the cluster's configuration says nothing ([precedence](deployment.md#flink-settings-the-clusters-win))");

  public static final ConfigKey<String> CHECKPOINTS_DIR =
      ConfigKey.text(
          "checkpoints.dir",
          "file:///tmp/nag-selector/checkpoints",
          "where checkpoints go (`file://`, `s3://`)");

  public static final List<ConfigKey<?>> ALL =
      List.of(
          KAFKA_BOOTSTRAP_SERVERS,
          KAFKA_SECURITY_PROTOCOL,
          KAFKA_SASL_MECHANISM,
          KAFKA_SASL_USERNAME,
          KAFKA_SASL_PASSWORD,
          KAFKA_SSL_TRUSTSTORE,
          KAFKA_GROUP_ID,
          KAFKA_TRANSACTIONAL_ID_PREFIX,
          KAFKA_TRANSACTION_TIMEOUT,
          KAFKA_TOPICS_CRAWL,
          KAFKA_TOPICS_CONTROL,
          KAFKA_TOPICS_CONTROL_EVENTS,
          KAFKA_TOPICS_TARGETS,
          KAFKA_TOPICS_SELECTED,
          KAFKA_TOPICS_DEAD_LETTER,
          KAFKA_TOPICS_TOP_K,
          KAFKA_TOPICS_FEATURES,
          KAFKA_TOPICS_DUPLICATES,
          INPUT_FORMAT,
          OUTPUT_FORMAT,
          CONTROL_FORMAT,
          INPUT_MAX_TEXT_BYTES,
          MODEL_PATH,
          MODEL_TOP_K,
          MODEL_MAX_LENGTH,
          MODEL_NEURON_TYPE,
          MODEL_BATCH_SIZE,
          MODEL_MAX_BATCH_TOKENS,
          MODEL_MAX_WAIT,
          MODEL_WORKERS,
          MODEL_DEVICE,
          MODEL_DTYPE,
          EXTRACTION_ASYNC_CAPACITY,
          EXTRACTION_ASYNC_TIMEOUT,
          EXTRACTION_MAX_ATTEMPTS,
          EXTRACTION_RETRY_BACKOFF,
          TARGETS_MAX_EXAMPLES,
          TARGETS_MAX_EXAMPLE_BYTES,
          TARGETS_MAX_TARGETS,
          TARGETS_MAX_COMMAND_BYTES,
          TARGETS_MAX_TOP_K,
          TARGETS_MAX_COMMAND_IDS,
          DEDUPE_TTL,
          DEDUPE_ORDER_OUT_OF_ORDERNESS,
          DEDUPE_ORDER_QUIET_AFTER,
          DEDUPE_NEAR_ENABLED,
          DEDUPE_NEAR_THRESHOLD,
          DEDUPE_NEAR_SHINGLE_SIZE,
          DEDUPE_NEAR_BANDS,
          DEDUPE_NEAR_ROWS,
          DEDUPE_NEAR_MAX_WORDS,
          DEDUPE_NEAR_TTL,
          DATASET_PATH,
          DATASET_PARTITIONING,
          DATASET_MAX_SHARD_MB,
          DATASET_MAX_SHARD_AGE,
          DATASET_ROW_GROUP_MB,
          SELECTION_SHARDS,
          SELECTION_WARM_UP,
          SELECTION_HOLD_SIGMAS,
          SELECTION_MAX_HOLD,
          SELECTION_DEFAULT_POLICY,
          SELECTION_DEFAULT_VALUE,
          SELECTION_TOP_K,
          SELECTION_TOP_K_INTERVAL,
          CHECKPOINTS_INTERVAL,
          CHECKPOINTS_DIR);
}
