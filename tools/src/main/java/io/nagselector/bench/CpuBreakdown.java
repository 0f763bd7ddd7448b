package io.nagselector.bench;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Who used the CPU between two {@link ThreadCpu} samples, grouped as a job's cost per document:
 * each Flink task thread by its task (an operator chain, its subtasks summed), the Kafka readers
 * and producers, RocksDB's background threads and the rest of Flink's runtime are the job's own;
 * the model's workers are the extraction (a GPU's work); the bench's driver and the embedded
 * broker, whose threads are there before the job starts, are left out.
 */
public final class CpuBreakdown {
  /** Whose cost a group is. */
  public enum Share {
    JOB,
    EXTRACTION,
    LEFT_OUT
  }

  /** One group: its CPU per document, in milliseconds. */
  public record Row(String group, Share share, double msPerDocument) {}

  static final String RUNTIME = "Flink runtime (network, checkpoints, timers, RPC)";
  static final String LEFT_OUT = "the bench's driver and the embedded broker";
  private static final Pattern SUBTASK = Pattern.compile("^(.*) \\(\\d+/\\d+\\)#\\d+$");
  private static final String FETCHER = "Source Data Fetcher for ";
  private static final String PRODUCER = "kafka-producer-network-thread | ";
  private static final Pattern TASK_HELPER =
      Pattern.compile("^(OutputFlusher|System Time Trigger|Time Trigger) for .*");

  private static final Comparator<Row> ORDER =
      Comparator.comparing(Row::share)
          .thenComparing(Comparator.comparingDouble(Row::msPerDocument).reversed());

  private CpuBreakdown() {}

  /**
   * The groups, the job's first and each share's largest first. {@code before} and {@code after}
   * bracket the measured documents; {@code beforeJob} was sampled before the job started.
   */
  public static List<Row> of(
      List<ThreadCpu.Use> beforeJob,
      List<ThreadCpu.Use> before,
      List<ThreadCpu.Use> after,
      long documents) {
    Set<String> earlier = ids(beforeJob);
    Map<String, Long> start = new HashMap<>();
    before.forEach(u -> start.put(u.id(), u.nanos()));
    Map<String, Long> nanos = new LinkedHashMap<>();
    for (ThreadCpu.Use u : after) {
      String group = group(u.name(), earlier.contains(u.id()));
      nanos.merge(group, u.nanos() - start.getOrDefault(u.id(), 0L), Long::sum);
    }
    List<Row> rows = new ArrayList<>();
    nanos.forEach((g, n) -> rows.add(new Row(g, share(g), n / 1e6 / documents)));
    rows.sort(ORDER);
    return rows;
  }

  /**
   * The rows with {@code ms} per document moved from the first group whose name contains {@code
   * from} to a row of the extraction's named {@code group}: work of the model's that a job thread
   * did.
   */
  public static List<Row> movedToExtraction(List<Row> rows, String from, String group, double ms) {
    List<Row> out = new ArrayList<>();
    boolean moved = false;
    for (Row r : rows) {
      if (!moved && r.group().contains(from)) {
        out.add(new Row(r.group(), r.share(), r.msPerDocument() - ms));
        moved = true;
      } else {
        out.add(r);
      }
    }
    if (!moved) {
      throw new IllegalArgumentException("no group contains " + from);
    }
    out.add(new Row(group, Share.EXTRACTION, ms));
    out.sort(ORDER);
    return out;
  }

  /** The CPU per document of one share, in milliseconds. */
  public static double total(List<Row> rows, Share share) {
    return rows.stream().filter(r -> r.share() == share).mapToDouble(Row::msPerDocument).sum();
  }

  static String group(String thread, boolean beforeJob) {
    if (thread.startsWith("rocksdb:")) {
      return "RocksDB background (flush, compaction)";
    }
    if (thread.startsWith("nag-batcher-")) {
      return "the model (extraction workers)";
    }
    if (thread.contains("| bench")) {
      return LEFT_OUT; // the bench's own Kafka clients, named after it
    }
    if (thread.startsWith(PRODUCER)) {
      return "Kafka producers (the sinks' network threads)";
    }
    if (TASK_HELPER.matcher(thread).matches()) {
      return RUNTIME; // a task's output flusher and its processing-time timer threads
    }
    Matcher subtask = SUBTASK.matcher(thread);
    if (subtask.matches()) {
      String task = subtask.group(1);
      return task.startsWith(FETCHER) ? "Kafka reader: " + task.substring(FETCHER.length()) : task;
    }
    return beforeJob || thread.equals("main") ? LEFT_OUT : RUNTIME;
  }

  private static Share share(String group) {
    if (group.equals(LEFT_OUT)) {
      return Share.LEFT_OUT;
    }
    return group.startsWith("the model") ? Share.EXTRACTION : Share.JOB;
  }

  private static Set<String> ids(List<ThreadCpu.Use> uses) {
    return uses.stream().map(ThreadCpu.Use::id).collect(Collectors.toSet());
  }
}
