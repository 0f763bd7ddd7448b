package io.nagselector.dedupe;

/**
 * What the near-duplicate rule keeps of a text: the {@link Sketch} of its MinHash signature, which
 * estimates its Jaccard similarity to another, and its LSH buckets, one per band, which find the
 * candidates. Both are empty for a text without a word.
 */
public record Fingerprint(byte[] sketch, long[] buckets) {

  public boolean hasWords() {
    return buckets.length > 0;
  }
}
