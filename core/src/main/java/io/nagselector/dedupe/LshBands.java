package io.nagselector.dedupe;

/**
 * Locality-sensitive hashing of MinHash signatures: the signature is cut into {@code bands} bands
 * of {@code rows} rows, and each band hashes to one bucket. Two documents of Jaccard similarity s
 * share a bucket in some band with probability 1 - (1 - s^rows)^bands, an S-curve whose steepest
 * point is near (1 / bands)^(1 / rows).
 */
public final class LshBands {
  private final int bands;
  private final int rows;

  public LshBands(int bands, int rows) {
    if (bands <= 0 || rows <= 0) {
      throw new IllegalArgumentException("bands and rows must be positive");
    }
    this.bands = bands;
    this.rows = rows;
  }

  public int bands() {
    return bands;
  }

  public int rows() {
    return rows;
  }

  /** How many MinHash permutations the bands use. */
  public int permutations() {
    return bands * rows;
  }

  /** The bucket of each band, band i's first; a bucket names its band too, so bands never meet. */
  public long[] buckets(long[] signature) {
    if (signature.length != permutations()) {
      throw new IllegalArgumentException(
          "a signature of " + signature.length + " for " + bands + " x " + rows + " bands");
    }
    long[] out = new long[bands];
    for (int b = 0; b < bands; b++) {
      long h = Shingles.mix(b + 1L);
      for (int r = 0; r < rows; r++) {
        h = Shingles.mix(h ^ signature[b * rows + r]);
      }
      out[b] = h;
    }
    return out;
  }

  /** The probability that two documents of Jaccard similarity {@code s} share a bucket. */
  public double collisionProbability(double s) {
    return 1 - Math.pow(1 - Math.pow(s, rows), bands);
  }
}
