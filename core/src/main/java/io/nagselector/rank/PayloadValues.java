package io.nagselector.rank;

import java.math.BigDecimal;

/** Reads the token count and quality columns the way the reference's pandas code treats them. */
final class PayloadValues {
  private PayloadValues() {}

  /** A token count: missing or NaN counts as 0; otherwise a non-negative integer. */
  static long tokens(Object value) {
    if (value == null) {
      return 0;
    }
    if (value instanceof Integer || value instanceof Long) {
      long t = ((Number) value).longValue();
      if (t < 0) {
        throw new IllegalArgumentException("token count " + t + " is negative");
      }
      return t;
    }
    if (value instanceof Double || value instanceof Float || value instanceof BigDecimal) {
      double d = ((Number) value).doubleValue();
      if (Double.isNaN(d)) {
        return 0;
      }
      if (d < 0 || d != Math.rint(d) || d > 1e18) {
        throw new IllegalArgumentException(
            "token count " + value + " is not a non-negative integer");
      }
      return (long) d;
    }
    throw new IllegalArgumentException("token count " + value + " is not a number");
  }

  /** A quality score; null when missing (such rows are left out and reported). */
  static Double quality(Object value) {
    if (value == null) {
      return null;
    }
    if (value instanceof Number n) {
      double d = n.doubleValue();
      if (Double.isNaN(d)) {
        return null;
      }
      if (Double.isInfinite(d)) {
        throw new IllegalArgumentException("quality " + d + " is not finite");
      }
      return d;
    }
    throw new IllegalArgumentException("quality " + value + " is not a number");
  }
}
