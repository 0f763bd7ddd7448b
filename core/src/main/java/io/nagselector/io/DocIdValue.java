package io.nagselector.io;

import java.math.BigInteger;

/** A doc id read from a file: its text and whether it was an integer (for tie ordering). */
public record DocIdValue(String text, boolean numeric) {

  /** Reads a doc id from a plain value; null when the value cannot be an id. */
  public static DocIdValue of(Object value) {
    if (value instanceof String s) {
      return new DocIdValue(s, false);
    }
    if (value instanceof Integer || value instanceof Long) {
      return new DocIdValue(value.toString(), true);
    }
    if (value instanceof BigInteger b && b.bitLength() < 64) {
      return new DocIdValue(b.toString(), true);
    }
    return null;
  }
}
