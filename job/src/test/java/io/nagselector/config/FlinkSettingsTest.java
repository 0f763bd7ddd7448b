package io.nagselector.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nagselector.io.UserInputException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;

class FlinkSettingsTest {
  private static final JobConfig LOCAL = JobConfig.load(Path.of("config/local.yaml"), Map.of());

  @Test
  void theJobConfigSuppliesRocksDbAndItsCheckpoints() {
    assertThat(FlinkSettings.defaults(LOCAL).toMap())
        .containsEntry("state.backend.type", "rocksdb")
        .containsEntry("state.backend.rocksdb.use-bloom-filter", "true")
        .containsEntry("execution.checkpointing.incremental", "true")
        .containsEntry("execution.checkpointing.interval", "30000 ms")
        .containsEntry("execution.checkpointing.dir", "file:///tmp/nag-selector/checkpoints");
  }

  @Test
  void onlyWhatTheClusterLeavesUnsetIsFilledIn() {
    Configuration cluster =
        Configuration.fromMap(
            Map.of(
                "execution.checkpointing.interval", "10 s",
                "state.backend.type", "hashmap"));
    Map<String, String> missing =
        FlinkSettings.missingFrom(cluster, FlinkSettings.defaults(LOCAL)).toMap();
    assertThat(missing)
        .doesNotContainKeys("execution.checkpointing.interval", "state.backend.type")
        .containsEntry("execution.checkpointing.dir", "file:///tmp/nag-selector/checkpoints")
        .containsEntry("execution.checkpointing.incremental", "true");
  }

  @Test
  void transactionTimeoutMustOutliveTwiceIntervalCheckpointAndBackoff() {
    Configuration operator =
        Configuration.fromMap(
            Map.of(
                "execution.checkpointing.interval", "30 s",
                "restart-strategy.type", "exponential-delay",
                "restart-strategy.exponential-delay.max-backoff", "5 min"));
    // 2 x (30 s + 10 min default checkpoint timeout + 5 min) = 31 min
    FlinkSettings.checkTransactionTimeout(Duration.ofMinutes(31), operator);
    assertThatThrownBy(
            () -> FlinkSettings.checkTransactionTimeout(Duration.ofMinutes(30), operator))
        .isInstanceOf(UserInputException.class)
        .hasMessage(
            "config: kafka.transaction-timeout 30 min is too short: it must be at least 2 x"
                + " (execution.checkpointing.interval 30 s + execution.checkpointing.timeout 10 min"
                + " + the restart strategy's longest backoff 5 min) = 31 min, or a transaction"
                + " could be aborted by Kafka before a recovering job commits it (raise the"
                + " broker's transaction.max.timeout.ms to match)");
  }

  @Test
  void theLongestBackoffOfEachRestartStrategy() {
    assertThat(FlinkSettings.maxRestartBackoff(new Configuration()))
        .as("Flink's default with checkpoints: exponential delay up to 1 min")
        .isEqualTo(Duration.ofMinutes(1));
    assertThat(FlinkSettings.maxRestartBackoff(conf("restart-strategy.type", "none"))).isZero();
    Configuration fixed = conf("restart-strategy.type", "fixed-delay");
    fixed.setString("restart-strategy.fixed-delay.delay", "7 s");
    assertThat(FlinkSettings.maxRestartBackoff(fixed)).isEqualTo(Duration.ofSeconds(7));
    Configuration rate = conf("restart-strategy.type", "failure-rate");
    rate.setString("restart-strategy.failure-rate.delay", "3 s");
    assertThat(FlinkSettings.maxRestartBackoff(rate)).isEqualTo(Duration.ofSeconds(3));
  }

  @Test
  void theShippedConfigsPassTheRuleWithTheirDeployments() {
    JobConfig cluster =
        JobConfig.load(
            Path.of("config/cluster.yaml"),
            Map.of("NAG_KAFKA_SASL_PASSWORD", "x", "NAG_KAFKA_SSL_TRUSTSTORE", ""));
    Configuration deployment =
        Configuration.fromMap(
            Map.of(
                "execution.checkpointing.interval", "30 s",
                "restart-strategy.type", "exponential-delay",
                "restart-strategy.exponential-delay.max-backoff", "5 min"));
    FlinkSettings.checkTransactionTimeout(
        cluster.get(ConfigKeys.KAFKA_TRANSACTION_TIMEOUT), deployment);
    FlinkSettings.checkTransactionTimeout(
        LOCAL.get(ConfigKeys.KAFKA_TRANSACTION_TIMEOUT), FlinkSettings.defaults(LOCAL));
  }

  private static Configuration conf(String key, String value) {
    Configuration c = new Configuration();
    c.setString(key, value);
    return c;
  }
}
