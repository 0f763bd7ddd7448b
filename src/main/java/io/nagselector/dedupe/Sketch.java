package io.nagselector.dedupe;

/**
 * A MinHash signature cut to the low 8 bits of each value (b-bit MinHash, Li and König 2010): 160
 * bytes instead of 1,280 for the default 160 permutations, which is what the stream keeps per
 * remembered text. Two unrelated values agree in their low byte with probability 1/256, so the
 * share of agreeing bytes m estimates the Jaccard similarity as (m - 1/256) / (1 - 1/256).
 */
public final class Sketch {
  private static final double CHANCE = 1.0 / 256;

  private Sketch() {}

  public static byte[] of(long[] signature) {
    byte[] out = new byte[signature.length];
    for (int i = 0; i < signature.length; i++) {
      out[i] = (byte) signature[i];
    }
    return out;
  }

  /** The estimated Jaccard similarity of the texts behind two sketches, in [0, 1]. */
  public static double similarity(byte[] a, byte[] b) {
    if (a.length != b.length || a.length == 0) {
      throw new IllegalArgumentException(
          "sketches of " + a.length + " and " + b.length + " values do not compare");
    }
    int same = 0;
    for (int i = 0; i < a.length; i++) {
      same += a[i] == b[i] ? 1 : 0;
    }
    double agree = (double) same / a.length;
    return Math.max(0, (agree - CHANCE) / (1 - CHANCE));
  }
}
