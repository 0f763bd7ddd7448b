package io.nagselector.config;

import io.nagselector.io.UserInputException;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.configuration.RestartStrategyOptions;

/**
 * The Flink settings the job config supplies (state backend, checkpoints), and the rule that ties
 * Kafka's transaction timeout to the restart strategy. On a cluster the cluster's own configuration
 * wins: the job config only fills in what the cluster leaves unset.
 */
public final class FlinkSettings {
  private FlinkSettings() {}

  /**
   * What the job config says about Flink: RocksDB with Bloom filters, incremental checkpoints,
   * interval, directory.
   */
  public static Configuration defaults(JobConfig c) {
    return Configuration.fromMap(
        Map.of(
            "state.backend.type",
            "rocksdb",
            "execution.checkpointing.incremental",
            "true",
            "execution.checkpointing.dir",
            c.get(ConfigKeys.CHECKPOINTS_DIR),
            "execution.checkpointing.interval",
            c.get(ConfigKeys.CHECKPOINTS_INTERVAL).toMillis() + " ms",
            // a backlog of crawl records must not delay checkpoint barriers by the whole buffer
            "taskmanager.network.memory.buffer-debloat.enabled",
            "true",
            // most lookups of the dedupe and the bucket index miss (a new text, a new bucket): a
            // Bloom filter per SST file answers those without reading its blocks
            "state.backend.rocksdb.use-bloom-filter",
            "true"));
  }

  /** The entries of {@code defaults} whose keys {@code cluster} does not set. */
  public static Configuration missingFrom(ReadableConfig cluster, Configuration defaults) {
    Configuration missing = new Configuration();
    for (Map.Entry<String, String> e : defaults.toMap().entrySet()) {
      ConfigOption<String> key = ConfigOptions.key(e.getKey()).stringType().noDefaultValue();
      if (cluster.getOptional(key).isEmpty()) {
        missing.setString(e.getKey(), e.getValue());
      }
    }
    return missing;
  }

  /**
   * Refuses a transaction timeout that a recovery could outlive. A sink's transaction opens after
   * one checkpoint and is committed after the next completes (at most an interval plus the
   * checkpoint timeout later); when the job fails in between, the restarted job commits it after
   * the restart backoff. Kafka aborts it at the timeout, and that output would be lost, so the
   * timeout must be at least twice that sum (the rest covers failure detection and restore).
   */
  public static void checkTransactionTimeout(Duration timeout, ReadableConfig flink) {
    Duration interval = flink.get(CheckpointingOptions.CHECKPOINTING_INTERVAL);
    Duration checkpointTimeout = flink.get(CheckpointingOptions.CHECKPOINTING_TIMEOUT);
    Duration backoff = maxRestartBackoff(flink);
    Duration needed =
        (interval == null ? Duration.ZERO : interval)
            .plus(checkpointTimeout)
            .plus(backoff)
            .multipliedBy(2);
    if (timeout.compareTo(needed) < 0) {
      throw new UserInputException(
          String.format(
              "config: kafka.transaction-timeout %s is too short: it must be at least 2 x"
                  + " (execution.checkpointing.interval %s + execution.checkpointing.timeout %s +"
                  + " the restart strategy's longest backoff %s) = %s, or a transaction could be"
                  + " aborted by Kafka before a recovering job commits it (raise the broker's"
                  + " transaction.max.timeout.ms to match)",
              human(timeout),
              human(interval == null ? Duration.ZERO : interval),
              human(checkpointTimeout),
              human(backoff),
              human(needed)));
    }
  }

  /** The longest wait between restarts that the configured restart strategy can make. */
  static Duration maxRestartBackoff(ReadableConfig flink) {
    String type =
        flink.getOptional(RestartStrategyOptions.RESTART_STRATEGY).orElse("exponential-delay");
    return switch (type.toLowerCase(Locale.ROOT)) {
      case "none", "off", "disable" -> Duration.ZERO;
      case "fixed-delay", "fixeddelay" ->
          flink.get(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY);
      case "failure-rate", "failurerate" ->
          flink.get(RestartStrategyOptions.RESTART_STRATEGY_FAILURE_RATE_DELAY);
      default -> flink.get(RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_MAX_BACKOFF);
    };
  }

  private static String human(Duration d) {
    if (d.toMillis() % 60_000 == 0 && d.toMinutes() > 0) {
      return d.toMinutes() + " min";
    }
    if (d.toMillis() % 1000 == 0) {
      return d.toSeconds() + " s";
    }
    return d.toMillis() + " ms";
  }
}
