package io.nagselector.cli;

import io.nagselector.bench.SoakBench;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code bench soak}: the job for a long run ({@link SoakBench}). */
@Command(
    name = "soak",
    mixinStandardHelpOptions = true,
    showDefaultValues = true,
    description = "Run the job long enough to see trends: throughput, checkpoints, state and heap.")
final class BenchSoakCommand implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(names = "--docs", defaultValue = "200000")
  int docs;

  @Option(
      names = "--rate",
      defaultValue = "0",
      description = "Documents sent per second; 0 = all at once (the job pulls at its own pace).")
  double rate;

  @Option(names = "--model", defaultValue = "default")
  String model;

  @Option(names = "--checkpoint-interval", defaultValue = "10s")
  String interval;

  @Override
  public Integer call() throws Exception {
    new SoakBench(docs, rate, model, interval).run(spec.commandLine().getOut());
    return 0;
  }
}
