package io.nagselector.config;

import io.nagselector.dedupe.NearDuplicateIndex;
import io.nagselector.dedupe.NearDuplicates;
import java.io.Serializable;
import java.time.Duration;

/** The near-duplicate stage's settings ({@code dedupe.near.*}). */
public record NearDuplicateSettings(
    boolean enabled,
    int shingleSize,
    int bands,
    int rows,
    int maxWords,
    double threshold,
    Duration ttl)
    implements Serializable {

  /** The most MinHash permutations a text may cost. */
  public static final int MAX_PERMUTATIONS = 1024;

  public NearDuplicateSettings {
    NearDuplicateIndex.checkThreshold(threshold);
    if (bands * (long) rows > MAX_PERMUTATIONS) {
      throw new IllegalArgumentException(
          "dedupe.near.bands x dedupe.near.rows must be at most "
              + MAX_PERMUTATIONS
              + ", got "
              + bands
              + " x "
              + rows);
    }
    if (shingleSize > maxWords) {
      throw new IllegalArgumentException(
          "dedupe.near.shingle-size ("
              + shingleSize
              + ") must not exceed dedupe.near.max-words ("
              + maxWords
              + ")");
    }
  }

  public static NearDuplicateSettings defaults() {
    return new NearDuplicateSettings(
        true,
        NearDuplicates.SHINGLE_SIZE,
        NearDuplicates.BANDS,
        NearDuplicates.ROWS,
        NearDuplicates.MAX_WORDS,
        NearDuplicates.THRESHOLD,
        Duration.ofDays(1));
  }

  public NearDuplicateSettings disabled() {
    return new NearDuplicateSettings(false, shingleSize, bands, rows, maxWords, threshold, ttl);
  }

  public NearDuplicates rule() {
    return new NearDuplicates(shingleSize, bands, rows, maxWords);
  }
}
