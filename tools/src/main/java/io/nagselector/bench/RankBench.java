package io.nagselector.bench;

import io.nagselector.rank.PoolRanker;
import io.nagselector.rank.RankOptions;
import io.nagselector.rank.RankReport;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * {@code bench rank}: generates a synthetic pool (features and payload) and ranks it with {@link
 * PoolRanker}, reporting docs/s and the peak heap.
 *
 * @param targetExamples the target's examples
 * @param dir where to generate; null: a new temporary directory
 * @param keep whether to keep the generated files
 */
public record RankBench(
    int docs, int targetExamples, int layers, int topK, int neurons, Path dir, boolean keep) {
  /** Generates the pool, ranks it and prints the rates and the peak heap. */
  public void run(PrintWriter out) throws Exception {
    Path work =
        dir != null ? Files.createDirectories(dir) : Files.createTempDirectory("nag-bench-rank");
    try {
      PoolGenerator generator = new PoolGenerator(layers, topK, neurons, 7);
      long t0 = System.nanoTime();
      generator.writeFeatures(work.resolve("target_features.jsonl"), "t-", targetExamples);
      generator.writeFeatures(work.resolve("pool_features.jsonl"), "doc-", docs);
      generator.writePayload(work.resolve("pool_payload.jsonl"), "doc-", docs);
      double genSeconds = (System.nanoTime() - t0) / 1e9;
      out.printf(
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
      out.printf(
          "ranked %,d docs in %.1f s: %,.0f docs/s; selected %,d docs (%,d tokens)%n",
          report.joined(),
          seconds,
          report.joined() / seconds,
          report.selected(),
          report.selectedTokens());
      out.printf(
          "peak heap used %,d MiB (sampled every 20 ms, garbage included) of max %,d MiB%n",
          watch.peak.get() >> 20, Runtime.getRuntime().maxMemory() >> 20);
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
