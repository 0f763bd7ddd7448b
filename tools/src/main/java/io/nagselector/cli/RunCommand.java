package io.nagselector.cli;

import io.nagselector.cluster.SupervisedCluster;
import io.nagselector.config.ConfigKeys;
import io.nagselector.config.FlinkSettings;
import io.nagselector.config.JobConfig;
import io.nagselector.config.KafkaClientConfig;
import io.nagselector.job.SelectorApp;
import io.nagselector.model.TorchThreads;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

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
  @Mixin JobConfigOption config;

  @Mixin FlinkClusterOption flinkCluster;

  @Override
  public Integer call() throws Exception {
    JobConfig c = config.unchecked();
    KafkaClientConfig.checkConnection(c, Duration.ofSeconds(30));
    if (flinkCluster.taskManagers > 0) {
      return onFlinkCluster();
    }
    TorchThreads.configureForWorkers(c.get(ConfigKeys.MODEL_WORKERS));
    String fingerprint = SelectorApp.fingerprint(c);
    Configuration flink = FlinkSettings.defaults(c);
    FlinkSettings.checkTransactionTimeout(c.get(ConfigKeys.KAFKA_TRANSACTION_TIMEOUT), flink);
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(flink);
    SelectorApp.assemble(env, c, fingerprint);
    env.execute("nag-selector");
    return 0;
  }

  private int onFlinkCluster() throws Exception {
    PrintWriter out = new PrintWriter(System.out, true);
    Path jar =
        Path.of(RunCommand.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    Path work = Files.createTempDirectory("nag-cluster");
    try (SupervisedCluster cluster =
        SupervisedCluster.start(
            jar.getParent(),
            work,
            config.config.toAbsolutePath(),
            Map.of(),
            flinkCluster.taskManagers,
            out)) {
      String job = cluster.awaitRunning(Duration.ofMinutes(2));
      out.printf("job %s running; Ctrl-C stops the cluster (the logs stay in %s)%n", job, work);
      Runtime.getRuntime().addShutdownHook(new Thread(cluster::close));
      cluster.cluster().jobManager().waitFor();
      out.printf("the JobManager exited; its log: %s%n", cluster.cluster().jobManagerLog());
      return 1;
    }
  }
}
