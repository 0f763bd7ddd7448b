package io.nagselector.job;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

/**
 * The live threads of this JVM whose context classloader is a job's user-code classloader that
 * Flink has closed. Such a thread was started by a task of an earlier attempt and outlived it (a
 * pool of a filesystem cached for the whole JVM, say); the first lookup through its context
 * classloader fails with "Trying to access closed classloader".
 */
final class ClosedClassLoaderThreads {
  private ClosedClassLoaderThreads() {}

  /**
   * Their names, sorted, each with the top of its stack (an idle pool's queue says which kind of
   * pool): empty when no thread holds a closed classloader.
   */
  static List<String> names() {
    TreeSet<String> names = new TreeSet<>();
    Thread.getAllStackTraces()
        .forEach(
            (t, stack) -> {
              if (t.isAlive() && holdsClosed(t)) {
                names.add(
                    t.getName() + " " + Arrays.asList(stack).subList(0, Math.min(4, stack.length)));
              }
            });
    return List.copyOf(names);
  }

  /**
   * The same, after waiting up to {@code max} for each such thread to end: a thread of a lost
   * TaskManager may still be winding down (Flink's Netty client, in its quiet period), which is not
   * a leak; a pool's idle thread stays (S3's live 60 s without work).
   */
  static List<String> awaitNone(Duration max) throws InterruptedException {
    long deadline = System.nanoTime() + max.toNanos();
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      long left = deadline - System.nanoTime();
      if (left > 0 && t.isAlive() && holdsClosed(t)) {
        t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
      }
    }
    return names();
  }

  private static boolean holdsClosed(Thread t) {
    ClassLoader loader = t.getContextClassLoader();
    if (loader == null) {
      return false;
    }
    try {
      loader.getResource("io/nagselector/probe"); // Flink's safety net throws once it is closed
      return false;
    } catch (IllegalStateException closed) {
      return true;
    }
  }
}
