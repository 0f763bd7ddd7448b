package io.nagselector.testing;

import java.time.Duration;

/**
 * Waits for a condition instead of sleeping a fixed time: polls it until it holds, and fails with
 * what was awaited when it does not within the timeout.
 */
public final class Await {
  private static final long POLL_MILLIS = 100;

  private Await() {}

  /** A condition that may throw while it looks. */
  @FunctionalInterface
  public interface Condition {
    boolean holds() throws Exception;
  }

  /** A value that is null until it is there. */
  @FunctionalInterface
  public interface Probe<T> {
    T get() throws Exception;
  }

  /** Until {@code condition} holds; an AssertionError naming {@code what} after {@code timeout}. */
  public static void until(String what, Duration timeout, Condition condition) throws Exception {
    value(what, timeout, () -> condition.holds() ? Boolean.TRUE : null);
  }

  /** Until {@code probe} gives a value, which it returns. */
  public static <T> T value(String what, Duration timeout, Probe<T> probe) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      T value = probe.get();
      if (value != null) {
        return value;
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("waited " + timeout.toSeconds() + " s for " + what);
      }
      Thread.sleep(POLL_MILLIS);
    }
  }
}
