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

  /** Writes the kept entries (for keyed state in the job). */
  public void write(java.io.DataOutput out) throws java.io.IOException {
    out.writeInt(k);
    out.writeInt(worstOnTop.size());
    for (Entry e : worstOnTop) {
      out.writeUTF(e.docId());
      out.writeDouble(e.similarity());
      out.writeLong(e.tokens());
      out.writeUTF(e.url() == null ? "" : e.url());
    }
  }

  /** Reads what {@link #write} wrote. */
  public static RunningTopK read(java.io.DataInput in) throws java.io.IOException {
    RunningTopK topK = new RunningTopK(in.readInt());
    int n = in.readInt();
    for (int i = 0; i < n; i++) {
      String id = in.readUTF();
      double sim = in.readDouble();
      long tokens = in.readLong();
      String url = in.readUTF();
      topK.offer(new Entry(id, sim, tokens, url.isEmpty() ? null : url));
    }
    return topK;
  }
}
