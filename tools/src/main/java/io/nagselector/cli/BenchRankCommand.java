package io.nagselector.cli;

import io.nagselector.bench.PoolGenerator;
import io.nagselector.rank.PoolRanker;
import io.nagselector.rank.RankOptions;
import io.nagselector.rank.RankReport;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
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

  private PrintWriter out() {
    return spec.commandLine().getOut();
  }

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
    Path work =
        dir != null ? Files.createDirectories(dir) : Files.createTempDirectory("nag-bench-rank");
    try {
      PoolGenerator generator = new PoolGenerator(layers, topK, neurons, 7);
      long t0 = System.nanoTime();
      generator.writeFeatures(work.resolve("target_features.jsonl"), "t-", targetExamples);
      generator.writeFeatures(work.resolve("pool_features.jsonl"), "doc-", docs);
      generator.writePayload(work.resolve("pool_payload.jsonl"), "doc-", docs);
      double genSeconds = (System.nanoTime() - t0) / 1e9;
      out()
          .printf(
              "generated %,d docs (L=%d K=%d N=%d) in %.1f s: features %,d MiB%n",
              docs,
              layers,
              topK,
              neurons,
              genSeconds,
              Files.size(work.resolve("pool_features.jsonl")) >> 20);

      RankOptions options =
          new RankOptions(
              work.resolve("target_features.jsonl").toString(),
              null,
              work.resolve("pool_features.jsonl").toString(),
              work.resolve("pool_payload.jsonl").toString(),
              work.resolve("selected.jsonl"),
              "fwd_up_feature",
              layers,
              topK,
              0,
              0.2,
              "token_num",
              "docid",
              null,
              "dataset",
              null,
              false,
              null,
              1.0,
              false,
              false);
      System.gc();
      HeapWatch watch = new HeapWatch();
      watch.start();
      long t1 = System.nanoTime();
      RankReport report = new PoolRanker(options, n -> {}).run();
      double seconds = (System.nanoTime() - t1) / 1e9;
      watch.interrupt();
      watch.join();
      out()
          .printf(
              "ranked %,d docs in %.1f s: %,.0f docs/s; selected %,d docs (%,d tokens)%n",
              report.joined(),
              seconds,
              report.joined() / seconds,
              report.selected(),
              report.selectedTokens());
      out()
          .printf(
              "peak heap used %,d MiB (sampled every 20 ms, garbage included) of max %,d MiB%n",
              watch.peak.get() >> 20, Runtime.getRuntime().maxMemory() >> 20);
      return 0;
    } finally {
      if (!keep) {
        try (Stream<Path> files = Files.walk(work)) {
          files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
      }
    }
  }

  private static final class HeapWatch extends Thread {
    final AtomicLong peak = new AtomicLong();
    private final MemoryMXBean memory = ManagementFactory.getMemoryMXBean();

    HeapWatch() {
      setDaemon(true);
    }

    @Override
    public void run() {
      while (!isInterrupted()) {
        peak.accumulateAndGet(memory.getHeapMemoryUsage().getUsed(), Math::max);
        try {
          Thread.sleep(20);
        } catch (InterruptedException e) {
          return;
        }
      }
    }
  }
}
