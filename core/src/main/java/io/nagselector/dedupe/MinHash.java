package io.nagselector.dedupe;

import java.util.SplittableRandom;

/**
 * MinHash signatures of shingle sets: for each of {@code permutations} hash functions, the smallest
 * hash over the set. Two sets' signatures agree at a position with probability equal to their
 * Jaccard similarity. The functions are fixed by the seed, so signatures from different runs and
 * processes compare.
 */
public final class MinHash {
  private final long[] multipliers;
  private final long[] offsets;

  public MinHash(int permutations, long seed) {
    if (permutations <= 0) {
      throw new IllegalArgumentException("permutations must be positive, got " + permutations);
    }
    SplittableRandom rnd = new SplittableRandom(seed);
    multipliers = new long[permutations];
    offsets = new long[permutations];
    for (int i = 0; i < permutations; i++) {
      multipliers[i] = rnd.nextLong() | 1; // odd: a bijection on 64-bit words
      offsets[i] = rnd.nextLong();
    }
  }

  public int permutations() {
    return multipliers.length;
  }

  /** The signature of a set of shingle hashes (all Long.MAX_VALUE for an empty set). */
  public long[] signature(long[] shingles) {
    long[] sig = new long[multipliers.length];
    java.util.Arrays.fill(sig, Long.MAX_VALUE);
    for (long s : shingles) {
      for (int i = 0; i < sig.length; i++) {
        long h = Shingles.mix(s * multipliers[i] + offsets[i]);
        if (h < sig[i]) {
          sig[i] = h;
        }
      }
    }
    return sig;
  }

  /** The share of positions where two signatures agree: the estimated Jaccard similarity. */
  public static double similarity(long[] a, long[] b) {
    if (a.length != b.length) {
      throw new IllegalArgumentException("signatures of different lengths");
    }
    int same = 0;
    for (int i = 0; i < a.length; i++) {
      same += a[i] == b[i] ? 1 : 0;
    }
    return (double) same / a.length;
  }
}
