package io.nagselector.cli;

import io.nagselector.config.JobConfig;
import io.nagselector.config.KafkaClientConfig;
import java.nio.file.Path;
import java.time.Duration;
import picocli.CommandLine.Option;

/**
 * {@code --config}: the job's configuration file, as every command that talks to the job takes it.
 */
final class JobConfigOption {
  @Option(
      names = "--config",
      defaultValue = "config/local.yaml",
      paramLabel = "FILE",
      description = "The job's config: brokers and topics (NAG_* variables override it).")
  Path config;

  /** The config, after checking that its Kafka answers (brokers, credentials, trust). */
  JobConfig load() {
    JobConfig c = unchecked();
    KafkaClientConfig.checkConnection(c, Duration.ofSeconds(30));
    return c;
  }

  JobConfig unchecked() {
    return JobConfig.load(config, System.getenv());
  }
}
