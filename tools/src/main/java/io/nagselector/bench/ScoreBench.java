package io.nagselector.bench;

import java.io.PrintWriter;
import java.util.Collection;
import java.util.List;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;

/**
 * {@code bench score}: JMH throughput of scoring one document against M targets ({@link
 * ScoreBenchmark}), over the parameter values given.
 *
 * @param targets the M values
 * @param neurons the N values
 * @param examples examples per target (above 255, 16-bit counts)
 * @param exact whether to measure the NumPy-exact double form that rank uses
 * @param warmup warm-up iterations of 1 s
 * @param iterations measured iterations of 1 s
 */
public record ScoreBench(
    List<String> targets,
    List<String> neurons,
    String layers,
    String topK,
    String examples,
    boolean exact,
    int forks,
    int warmup,
    int iterations) {
  /** Runs JMH (its own forks) and prints docs/s and doc-target scorings/s per parameter set. */
  public void run(PrintWriter out) throws Exception {
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
    out.printf(
        "%-4s %-4s %-6s %-7s %16s %22s %10s%n",
        "L", "K", "N", "targets", "docs/s", "doc-target scorings/s", "error %");
    for (RunResult r : results) {
      var params = r.getParams();
      int m = Integer.parseInt(params.getParam("targets"));
      double docsPerSecond = r.getPrimaryResult().getScore();
      double error = r.getPrimaryResult().getScoreError();
      out.printf(
          "%-4s %-4s %-6s %-7d %,16.0f %,22.0f %9.1f%%%n",
          params.getParam("layers"),
          params.getParam("topK"),
          params.getParam("neurons"),
          m,
          docsPerSecond,
          docsPerSecond * m,
          Double.isNaN(error) ? 0.0 : 100 * error / docsPerSecond);
    }
  }
}
