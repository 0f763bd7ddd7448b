package io.nagselector.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The CPU time each thread of this process has used so far: the JVM's threads by their full names
 * ({@link ThreadMXBean}), and RocksDB's native background threads, which the JVM does not know,
 * from Linux's {@code /proc/self/task} (at the kernel's 10 ms resolution). Threads that have ended
 * are no longer counted, so compare samples of threads that live through the interval.
 */
public final class ThreadCpu {
  /** One thread: {@code id} tells threads of the same name apart; {@code nanos} of CPU so far. */
  public record Use(String id, String name, long nanos) {}

  private static final Path TASKS = Path.of("/proc/self/task");
  private static final long NANOS_PER_TICK = 10_000_000; // USER_HZ: 100 on Linux

  private ThreadCpu() {}

  public static List<Use> sample() {
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    List<Use> out = new ArrayList<>();
    for (ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
      if (info == null) {
        continue; // ended since the ids were listed
      }
      long nanos = threads.getThreadCpuTime(info.getThreadId());
      if (nanos >= 0) {
        out.add(new Use("jvm-" + info.getThreadId(), info.getThreadName(), nanos));
      }
    }
    out.addAll(nativeRocksDb());
    return out;
  }

  /** Total CPU of the process so far (every thread, JIT and GC included). */
  public static long processNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  private static List<Use> nativeRocksDb() {
    List<Use> out = new ArrayList<>();
    if (!Files.isDirectory(TASKS)) {
      return out;
    }
    try (Stream<Path> tasks = Files.list(TASKS)) {
      for (Path task : tasks.toList()) {
        try {
          String name = Files.readString(task.resolve("comm")).strip();
          if (name.startsWith("rocksdb:")) {
            out.add(new Use("tid-" + task.getFileName(), name, ticks(task) * NANOS_PER_TICK));
          }
        } catch (IOException ended) {
          // the thread ended while the directory was read
        }
      }
    } catch (IOException e) {
      return out;
    }
    return out;
  }

  /** utime + stime from /proc/.../stat: fields 14 and 15, after the parenthesised name. */
  static long ticks(Path task) throws IOException {
    String stat = Files.readString(task.resolve("stat"));
    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
  }
}
