package io.nagselector.cli;

import picocli.CommandLine.Option;

/** The {@code --flink-cluster [N]} option of {@code run} and {@code demo}. */
final class FlinkClusterOption {
  @Option(
      names = "--flink-cluster",
      paramLabel = "TASKMANAGERS",
      arity = "0..1",
      fallbackValue = "1",
      defaultValue = "0",
      description = {
        "Run the packaged job artifact the way a Flink cluster runs it: a JobManager in application",
        "mode and this many TaskManagers, separate JVMs started from target/flink-dist (a killed",
        "TaskManager is replaced). Default: a MiniCluster in this JVM."
      })
  int taskManagers;
}
