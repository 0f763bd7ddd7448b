package io.nagselector.cli;

import io.nagselector.bench.RankBench;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code bench rank}: generates a large pool and ranks it, reporting docs/s and peak heap. */
@Command(
    name = "rank",
    mixinStandardHelpOptions = true,
    showDefaultValues = true,
    description = {
      "Generate a synthetic pool in a temp dir and rank it; prints docs/s and peak heap.",
      "Run it as: java -Xmx2g -jar target/nag-selector.jar bench rank --docs 5000000"
    })
final class BenchRankCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--docs", defaultValue = "1000000")
  int docs;

  @Option(names = "--targets", defaultValue = "200", description = "Target examples.")
  int targetExamples;

  @Option(names = "--layers", defaultValue = "28")
  int layers;

  @Option(names = "--top-k", defaultValue = "20")
  int topK;

  @Option(names = "--neurons", defaultValue = "3072")
  int neurons;

  @Option(names = "--dir", description = "Where to generate (default: a new temp dir).")
  Path dir;

  @Option(names = "--keep", description = "Keep the generated files.")
  boolean keep;

  @Override
  public Integer call() throws Exception {
    new RankBench(docs, targetExamples, layers, topK, neurons, dir, keep)
        .run(spec.commandLine().getOut());
    return 0;
  }
}
