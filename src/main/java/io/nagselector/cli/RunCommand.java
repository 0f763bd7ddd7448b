package io.nagselector.cli;

import io.nagselector.pipeline.FlinkSettings;
import io.nagselector.pipeline.JobConfig;
import io.nagselector.pipeline.SelectorApp;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code run}: the streaming selector, on a local MiniCluster from the command line. On a Flink
 * cluster the job artifact's {@link io.nagselector.pipeline.JobMain} is the entry class instead.
 */
@Command(
    name = "run",
    mixinStandardHelpOptions = true,
    showDefaultValues = true,
    description = {
      "Run the streaming selection job: crawl topic -> dedupe -> NAG extraction -> scoring against",
      "the targets of the control topic -> selected and dead-letter topics (exactly once).",
      "Every config key can be overridden by an environment variable (NAG_KAFKA_BOOTSTRAP_SERVERS ...)."
    })
final class RunCommand implements Callable<Integer> {
  @Option(names = "--config", defaultValue = "config/local.yaml", paramLabel = "FILE")
  Path config;

  @Override
  public Integer call() throws Exception {
    JobConfig c = JobConfig.load(config, System.getenv());
    io.nagselector.pipeline.KafkaClientConfig.checkConnection(c, java.time.Duration.ofSeconds(30));
    Threads.configureForWorkers(c.positive("model.workers"));
    String fingerprint = SelectorApp.fingerprint(c);
    Configuration flink = FlinkSettings.defaults(c);
    FlinkSettings.checkTransactionTimeout(c.duration("kafka.transaction-timeout"), flink);
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(flink);
    SelectorApp.assemble(env, c, fingerprint);
    env.execute("nag-selector");
    return 0;
  }
}
