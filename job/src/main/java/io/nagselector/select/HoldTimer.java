package io.nagselector.select;

/**
 * The max-hold timers of {@link SettleFractions}: they fire on whole seconds, so that a second's
 * documents share one, and are known from its other timers by that alignment.
 */
final class HoldTimer {
  private static final long MILLIS = 1000;

  private HoldTimer() {}

  /** The processing time a document held until {@code due} has its timer fire. */
  static long at(long due) {
    return due - due % MILLIS + MILLIS;
  }

  /** Whether a timer that fired at {@code timestamp} is a max-hold timer. */
  static boolean is(long timestamp) {
    return timestamp % MILLIS == 0;
  }
}
