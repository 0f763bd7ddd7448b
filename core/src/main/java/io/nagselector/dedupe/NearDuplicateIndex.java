package io.nagselector.dedupe;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The near-duplicate rule over a stream, in memory. Each LSH bucket remembers the first text that
 * reached it, whether or not that text was itself a near-duplicate (the stream's buckets decide
 * independently of each other, so they cannot know). A text is a near-duplicate of the earlier one,
 * among those first in one of its buckets, whose sketch it resembles most, if that estimated
 * Jaccard similarity is at or above the threshold. The job's keyed stage applies the same rule with
 * the buckets spread over keys; this is its reference.
 */
public final class NearDuplicateIndex {
  /** The earlier text a text duplicates, and their estimated Jaccard similarity. */
  public record Match(String firstId, double jaccard) {}

  /** A text that was first in a bucket: its id and sketch. */
  public record Occurrence(String id, byte[] sketch) {}

  private final Map<Long, Occurrence> buckets = new HashMap<>();
  private final double threshold;

  public NearDuplicateIndex(double threshold) {
    this.threshold = checkThreshold(threshold);
  }

  public static double checkThreshold(double threshold) {
    if (!(threshold > 0 && threshold <= 1)) {
      throw new IllegalArgumentException("threshold must be in (0, 1], got " + threshold);
    }
    return threshold;
  }

  /** The earlier text {@code id} duplicates, if any; it takes every bucket no text had. */
  public Optional<Match> offer(String id, Fingerprint doc) {
    Occurrence self = new Occurrence(id, doc.sketch());
    List<Occurrence> candidates = new ArrayList<>();
    for (long bucket : doc.buckets()) {
      Occurrence first = buckets.putIfAbsent(bucket, self);
      if (first != null) {
        candidates.add(first);
      }
    }
    return bestMatch(doc.sketch(), candidates, threshold);
  }

  /**
   * The candidate most similar to {@code sketch}, if at or above {@code threshold}; among equals,
   * the smallest id, so that the answer does not depend on the order the candidates came in.
   */
  public static Optional<Match> bestMatch(
      byte[] sketch, Collection<Occurrence> candidates, double threshold) {
    Match best = null;
    for (Occurrence c : candidates) {
      double jaccard = Sketch.similarity(c.sketch(), sketch);
      if (jaccard >= threshold
          && (best == null
              || jaccard > best.jaccard()
              || (jaccard == best.jaccard() && c.id().compareTo(best.firstId()) < 0))) {
        best = new Match(c.id(), jaccard);
      }
    }
    return Optional.ofNullable(best);
  }

  /** Buckets remembered. */
  public int size() {
    return buckets.size();
  }
}
