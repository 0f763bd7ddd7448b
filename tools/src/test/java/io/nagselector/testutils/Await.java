package io.nagselector.testutils;

import java.time.Duration;
import java.util.Objects;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;

/**
 * Waits for a condition instead of sleeping a fixed time: Awaitility polls it until it holds, and
 * the failure says what was awaited when it does not within the timeout.
 */
public final class Await {
  private static final Duration POLL = Duration.ofMillis(100);

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
  public static void until(String what, Duration timeout, Condition condition) {
    value(what, timeout, () -> condition.holds() ? Boolean.TRUE : null);
  }

  /** Until {@code probe} gives a value, which it returns. */
  public static <T> T value(String what, Duration timeout, Probe<T> probe) {
    try {
      return Awaitility.await(what)
          .atMost(timeout)
          .pollDelay(Duration.ZERO)
          .pollInterval(POLL)
          .pollInSameThread()
          .until(probe::get, Objects::nonNull);
    } catch (ConditionTimeoutException e) {
      throw new AssertionError("waited " + timeout.toSeconds() + " s for " + what, e);
    }
  }

  /**
   * That {@code condition} holds all through {@code period}, looked at every 100 ms; an
   * AssertionError naming {@code what} once it does not.
   */
  public static void holdsFor(String what, Duration period, Condition condition) {
    try {
      Awaitility.await(what)
          .during(period)
          .atMost(period.plus(POLL.multipliedBy(2)))
          .pollDelay(Duration.ZERO)
          .pollInterval(POLL)
          .pollInSameThread()
          .until(condition::holds);
    } catch (ConditionTimeoutException e) {
      throw new AssertionError(what + " did not hold for " + period.toMillis() + " ms", e);
    }
  }
}
