package io.nagselector.nag;

/**
 * How doc ids sort when distances tie: integers numerically, strings by Unicode code point (as
 * Python compares them; Java's {@code String.compareTo} compares UTF-16 units, which differs above
 * U+FFFF).
 */
public final class DocIdOrder {
  private DocIdOrder() {}

  /** Compares two ids by code point. */
  public static int compareCodePoints(String a, String b) {
    int i = 0;
    int j = 0;
    while (i < a.length() && j < b.length()) {
      int ca = a.codePointAt(i);
      int cb = b.codePointAt(j);
      if (ca != cb) {
        return Integer.compare(ca, cb);
      }
      i += Character.charCount(ca);
      j += Character.charCount(cb);
    }
    return Boolean.compare(i < a.length(), j < b.length());
  }

  /** Compares two ids, numerically when {@code numeric} (every id of the pool is an integer). */
  public static int compare(String a, String b, boolean numeric) {
    if (numeric) {
      return Long.compare(Long.parseLong(a), Long.parseLong(b));
    }
    return compareCodePoints(a, b);
  }
}
