package io.nagselector.dedupe;

/**
 * The near-duplicate settings and what they make of a text: shingles, a MinHash signature, its LSH
 * buckets and a compact sketch of it. Defaults: 5-word shingles (as FineWeb's and datatrove's
 * MinHash stage), 20 bands of 8 rows (160 permutations), an estimated Jaccard of 0.8, the first
 * 100,000 words of a text.
 */
public final class NearDuplicates {
  public static final int SHINGLE_SIZE = 5;
  public static final int BANDS = 20;
  public static final int ROWS = 8;
  public static final double THRESHOLD = 0.8;
  public static final int MAX_WORDS = 100_000;

  private final Shingles shingles;
  private final MinHash minHash;
  private final LshBands lsh;

  public NearDuplicates(int shingleSize, int bands, int rows, int maxWords) {
    shingles = new Shingles(shingleSize, maxWords);
    lsh = new LshBands(bands, rows);
    minHash = new MinHash(lsh.permutations(), 0x6E61672D6D696EL);
  }

  public static NearDuplicates defaults() {
    return new NearDuplicates(SHINGLE_SIZE, BANDS, ROWS, MAX_WORDS);
  }

  /** A text's sketch and buckets; a text without a word has none (both empty). */
  public Fingerprint fingerprint(String text) {
    long[] set = shingles.of(text);
    if (set.length == 0) {
      return new Fingerprint(new byte[0], new long[0]);
    }
    long[] signature = minHash.signature(set);
    return new Fingerprint(Sketch.of(signature), lsh.buckets(signature));
  }

  public Shingles shingles() {
    return shingles;
  }

  public LshBands lsh() {
    return lsh;
  }
}
