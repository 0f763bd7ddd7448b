package io.nagselector.job;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nagselector.broker.EmbeddedKafka;
import io.nagselector.config.JobConfig;
import io.nagselector.config.KafkaClientConfig;
import io.nagselector.io.UserInputException;
import io.nagselector.testutils.Broker;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A transaction timeout the brokers would refuse stops the job at start-up, naming both. */
class TransactionTimeoutIT {
  @RegisterExtension static final Broker BROKER = new Broker();

  @Test
  void aTimeoutAboveTheBrokersMaximumIsRefusedAtStartUp() {
    EmbeddedKafka kafka = BROKER.kafka();
    JobConfig ok = config(kafka, "1h");
    KafkaClientConfig.checkConnection(ok, Duration.ofSeconds(20));

    JobConfig tooLong = config(kafka, "3h");
    assertThatThrownBy(() -> KafkaClientConfig.checkConnection(tooLong, Duration.ofSeconds(20)))
        .isInstanceOf(UserInputException.class)
        .hasMessage(
            "config: kafka.transaction-timeout (10800000 ms) is above the broker's"
                + " transaction.max.timeout.ms (7200000 ms) at "
                + kafka.bootstrapServers()
                + ": raise the broker's setting (see docs/deployment.md) rather than"
                + " shortening the timeout");
  }

  private static JobConfig config(EmbeddedKafka kafka, String timeout) {
    return JobConfig.load(
        Path.of("config/local.yaml"),
        Map.of(
            "NAG_KAFKA_BOOTSTRAP_SERVERS",
            kafka.bootstrapServers(),
            "NAG_KAFKA_TRANSACTION_TIMEOUT",
            timeout));
  }
}
