package io.nagselector.cli;

import io.nagselector.demo.Demo;
import io.nagselector.model.TorchThreads;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code demo}: the whole system on this machine, with nothing to set up. */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    showDefaultValues = true,
    description = {
      "Run the real job end to end on this machine: an embedded Kafka broker, the job on a local",
      "Flink MiniCluster (RocksDB, web UI), the bundled model; stream the demo corpus, define",
      "targets through the control topic, change one mid-stream; print what each target selected",
      "and why, and write the outputs and an HTML report."
    })
final class DemoCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(
      names = "--docs",
      defaultValue = "examples/demo/corpus.jsonl",
      paramLabel = "DIR|FILE",
      description = "JSONL documents: id, text, url, source (the domain).")
  String docs;

  @Option(
      names = "--targets",
      defaultValue = "examples/demo/targets",
      paramLabel = "DIR",
      description =
          "NAME.jsonl example texts per target (column doc); NAME.more.jsonl: added mid-stream.")
  Path targets;

  @Option(names = "--fraction", defaultValue = "0.2", description = "Each target's token fraction.")
  double fraction;

  @Option(names = "--top-k", defaultValue = "10", description = "Each target's published top-k.")
  int topK;

  @Option(
      names = "--model",
      defaultValue = "default",
      description = "'default' (bundled all-MiniLM-L6-v2) or a Hugging Face checkpoint directory.")
  String model;

  @Option(names = "--rate", defaultValue = "20", description = "Documents sent per second.")
  double rate;

  @Option(
      names = "--out",
      defaultValue = "demo-out",
      paramLabel = "DIR",
      description = "Where the outputs go.")
  Path out;

  @Option(
      names = "--keep-running",
      description = "Leave the job and the broker up at the end, until Ctrl-C.")
  boolean keepRunning;

  @Mixin FlinkClusterOption flinkCluster;

  @Override
  public Integer call() throws Exception {
    TorchThreads.configureForWorkers(2);
    return new Demo(
            new Demo.Options(
                docs,
                targets,
                fraction,
                topK,
                model,
                rate,
                out,
                keepRunning,
                flinkCluster.taskManagers),
            spec.commandLine().getOut())
        .run();
  }
}
