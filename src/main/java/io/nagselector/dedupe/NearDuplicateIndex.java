package io.nagselector.dedupe;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The near-duplicate rule over a stream, in memory: each LSH bucket remembers the first document
 * that reached it (its id and signature). A document is a near-duplicate of an earlier one when
 * they share a bucket and their estimated Jaccard similarity is at or above the threshold; the
 * first occurrence wins, and a near-duplicate is not remembered. The job's keyed stage keeps the
 * same per-bucket state; this is its rule, and the reference its tests compare with.
 */
public final class NearDuplicateIndex {
  /** A document's signature and its band buckets. */
  public record Fingerprint(long[] signature, long[] buckets) {}

  /** The earlier document a document duplicates, and their estimated Jaccard similarity. */
  public record Match(String firstId, double jaccard) {}

  private record First(String id, long[] signature) {}

  private final Map<Long, First> buckets = new HashMap<>();
  private final double threshold;

  public NearDuplicateIndex(double threshold) {
    if (!(threshold > 0 && threshold <= 1)) {
      throw new IllegalArgumentException("threshold must be in (0, 1], got " + threshold);
    }
    this.threshold = threshold;
  }

  /** The earlier document {@code id} duplicates, if any; otherwise remembers it. */
  public Optional<Match> offer(String id, Fingerprint doc) {
    Match best = null;
    for (long bucket : doc.buckets()) {
      First first = buckets.get(bucket);
      if (first != null) {
        double jaccard = MinHash.similarity(first.signature(), doc.signature());
        if (jaccard >= threshold && (best == null || jaccard > best.jaccard())) {
          best = new Match(first.id(), jaccard);
        }
      }
    }
    if (best != null) {
      return Optional.of(best);
    }
    for (long bucket : doc.buckets()) {
      buckets.putIfAbsent(bucket, new First(id, doc.signature()));
    }
    return Optional.empty();
  }

  /** Buckets remembered. */
  public int size() {
    return buckets.size();
  }
}
