package io.nagselector.bench;

import java.io.IOException;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * This process's memory as the kernel counts it (peak resident set, VmHWM) against what the JVM
 * accounts for (heap and non-heap committed, direct and mapped buffers): the rest is native memory
 * outside the JVM, libtorch's tensors above all, which Flink's memory model must budget as
 * off-heap. Exact when the heap is resident in full (-Xms = -Xmx with -XX:+AlwaysPreTouch);
 * otherwise the JVM's share is over-counted and the remainder is a lower bound.
 */
public record ProcessMemory(
    long peakResident, long heapCommitted, long nonHeapCommitted, long buffers) {
  private static final long MIB = 1024 * 1024;

  public static ProcessMemory now() {
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    long buffers = 0;
    for (BufferPoolMXBean pool : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class)) {
      buffers += Math.max(0, pool.getMemoryUsed());
    }
    return new ProcessMemory(
        statusKib("VmHWM") * 1024,
        memory.getHeapMemoryUsage().getCommitted(),
        memory.getNonHeapMemoryUsage().getCommitted(),
        buffers);
  }

  /** Peak resident memory that the JVM does not account for. */
  public long outsideJvm() {
    return peakResident - heapCommitted - nonHeapCommitted - buffers;
  }

  @Override
  public String toString() {
    return String.format(
        "memory: peak resident %,d MiB = heap %,d + non-heap %,d + buffers %,d + outside the JVM"
            + " %,d MiB",
        peakResident / MIB,
        heapCommitted / MIB,
        nonHeapCommitted / MIB,
        buffers / MIB,
        outsideJvm() / MIB);
  }

  private static long statusKib(String field) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith(field + ":")) {
          return Long.parseLong(line.replaceAll("[^0-9]", ""));
        }
      }
    } catch (IOException | NumberFormatException e) {
      return -1;
    }
    return -1;
  }
}
