package io.nagselector.nag;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;

/**
 * The k best documents seen so far for one target (highest similarity first, ties by doc id),
 * bounded to k entries. Shards keep their own; the global top-k is the merge of shard top-ks.
 */
public final class RunningTopK {
  /** One kept document. */
  public record Entry(String docId, double similarity, long tokens, String url) {}

  /** Best first: higher similarity, then lower doc id (code point order). */
  public static final Comparator<Entry> BEST_FIRST =
      Comparator.comparingDouble(Entry::similarity)
          .reversed()
          .thenComparing(Entry::docId, DocIdOrder::compareCodePoints);

  private final int k;
  private final PriorityQueue<Entry> worstOnTop = new PriorityQueue<>(BEST_FIRST.reversed());

  public RunningTopK(int k) {
    if (k <= 0) {
      throw new IllegalArgumentException("top-k size must be positive, got " + k);
    }
    this.k = k;
  }

  /** Offers a document; returns whether it entered the top k. */
  public boolean offer(Entry entry) {
    if (worstOnTop.size() < k) {
      worstOnTop.add(entry);
      return true;
    }
    if (BEST_FIRST.compare(entry, worstOnTop.peek()) < 0) {
      worstOnTop.poll();
      worstOnTop.add(entry);
      return true;
    }
    return false;
  }

  /** The kept entries, best first. */
  public List<Entry> best() {
    List<Entry> out = new ArrayList<>(worstOnTop);
    out.sort(BEST_FIRST);
    return out;
  }

  /** The k best of several shard top-ks. */
  public static List<Entry> merge(int k, List<List<Entry>> shards) {
    RunningTopK merged = new RunningTopK(k);
    shards.forEach(shard -> shard.forEach(merged::offer));
    return merged.best();
  }

  /** How many entries it keeps at most. */
  public int k() {
    return k;
  }

  /** A top-k of {@code k} holding {@code entries} (as {@link #best} returned them). */
  public static RunningTopK of(int k, List<Entry> entries) {
    RunningTopK topK = new RunningTopK(k);
    entries.forEach(topK::offer);
    return topK;
  }
}
