package io.nagselector.cli;

import io.nagselector.bench.ScoreBenchmark;
import java.io.PrintWriter;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.Callable;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;
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

  private PrintWriter out() {
    return spec.commandLine().getOut();
  }

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
    ChainedOptionsBuilder options =
        new OptionsBuilder()
            .include(ScoreBenchmark.class.getName())
            .param("targets", targets.toArray(String[]::new))
            .param("neurons", neurons.toArray(String[]::new))
            .param("layers", layers)
            .param("topK", topK)
            .param("examplesPerTarget", examples)
            .param("exact", Boolean.toString(exact))
            .forks(forks)
            .threads(1)
            .warmupIterations(warmup)
            .warmupTime(TimeValue.seconds(1))
            .measurementIterations(iterations)
            .measurementTime(TimeValue.seconds(1))
            .jvmArgsAppend("-Xmx4g")
            .verbosity(VerboseMode.SILENT);
    Collection<RunResult> results = new Runner(options.build()).run();
    out()
        .printf(
            "%-4s %-4s %-6s %-7s %16s %22s %10s%n",
            "L", "K", "N", "targets", "docs/s", "doc-target scorings/s", "error %");
    for (RunResult r : results) {
      var params = r.getParams();
      int m = Integer.parseInt(params.getParam("targets"));
      double docsPerSecond = r.getPrimaryResult().getScore();
      double error = r.getPrimaryResult().getScoreError();
      out()
          .printf(
              "%-4s %-4s %-6s %-7d %,16.0f %,22.0f %9.1f%%%n",
              params.getParam("layers"),
              params.getParam("topK"),
              params.getParam("neurons"),
              m,
              docsPerSecond,
              docsPerSecond * m,
              Double.isNaN(error) ? 0.0 : 100 * error / docsPerSecond);
    }
    return 0;
  }
}
