package io.nagselector.cli;

import io.nagselector.bench.ScoreBench;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code bench score}: JMH throughput of scoring one document against M targets. */
@Command(
    name = "score",
    mixinStandardHelpOptions = true,
    showDefaultValues = true,
    description = "JMH: doc-target scorings per second on one core (goal: >= 2,000,000).")
final class BenchScoreCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--targets", split = ",", defaultValue = "1,10,100", description = "M values.")
  List<String> targets;

  @Option(names = "--neurons", split = ",", defaultValue = "3072,6144", description = "N values.")
  List<String> neurons;

  @Option(names = "--layers", defaultValue = "28")
  String layers;

  @Option(names = "--top-k", defaultValue = "20")
  String topK;

  @Option(
      names = "--examples",
      defaultValue = "64",
      description = "Examples per target (counts above 255 switch to 16-bit storage).")
  String examples;

  @Option(names = "--exact", description = "Measure the NumPy-exact double form that rank uses.")
  boolean exact;

  @Option(names = "--forks", defaultValue = "1")
  int forks;

  @Option(names = "--warmup", defaultValue = "3", description = "Warm-up iterations of 1 s.")
  int warmup;

  @Option(names = "--iterations", defaultValue = "5", description = "Measured iterations of 1 s.")
  int iterations;

  @Override
  public Integer call() throws Exception {
    new ScoreBench(targets, neurons, layers, topK, examples, exact, forks, warmup, iterations)
        .run(spec.commandLine().getOut());
    return 0;
  }
}
