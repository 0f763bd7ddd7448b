package io.nagselector.nag;

import java.util.ArrayList;
import java.util.List;
import org.apache.datasketches.kll.KllDoublesSketch;
import org.apache.datasketches.quantilescommon.QuantileSearchCriteria;

/**
 * Streaming form of the paper's fraction rule for one target (one shard of it): accept a document
 * when its similarity is above the running token-weighted (1 - fraction) quantile of the
 * similarities seen so far (a KLL sketch weighted by tokens), and a fair share of those exactly at
 * it. The first {@code warmUp} documents are held and then decided together with the exact batch
 * rule, so nothing is admitted or lost before the sketch means something.
 */
public final class FractionPolicy {
  /** A scored document waiting for, or receiving, a decision; the payload is the caller's. */
  public record Scored(String docId, double similarity, long tokens, byte[] payload) {
    public Scored(String docId, double similarity, long tokens) {
      this(docId, similarity, tokens, new byte[0]);
    }
  }

  private final double fraction;
  private final int warmUp;
  private final KllDoublesSketch sketch;
  private List<Scored> held;
  private long seen;

  public FractionPolicy(double fraction, int warmUp) {
    BudgetSelection.checkFraction(fraction, "fraction");
    if (warmUp < 0) {
      throw new IllegalArgumentException("warm-up must be >= 0, got " + warmUp);
    }
    this.fraction = fraction;
    this.warmUp = warmUp;
    this.held = warmUp > 0 ? new ArrayList<>() : null;
    this.sketch = KllDoublesSketch.newHeapInstance(200);
  }

  private FractionPolicy(
      double fraction, int warmUp, long seen, KllDoublesSketch sketch, List<Scored> held) {
    this.fraction = fraction;
    this.warmUp = warmUp;
    this.seen = seen;
    this.sketch = sketch;
    this.held = held;
  }

  /** Writes the whole state (for keyed state in the job). */
  public void write(java.io.DataOutput out) throws java.io.IOException {
    out.writeDouble(fraction);
    out.writeInt(warmUp);
    out.writeLong(seen);
    byte[] bytes = sketch.toByteArray();
    out.writeInt(bytes.length);
    out.write(bytes);
    out.writeInt(held == null ? -1 : held.size());
    if (held != null) {
      for (Scored s : held) {
        out.writeUTF(s.docId());
        out.writeDouble(s.similarity());
        out.writeLong(s.tokens());
        out.writeInt(s.payload().length);
        out.write(s.payload());
      }
    }
  }

  /** Reads what {@link #write} wrote. */
  public static FractionPolicy read(java.io.DataInput in) throws java.io.IOException {
    double fraction = in.readDouble();
    int warmUp = in.readInt();
    long seen = in.readLong();
    byte[] bytes = new byte[in.readInt()];
    in.readFully(bytes);
    KllDoublesSketch sketch =
        KllDoublesSketch.heapify(org.apache.datasketches.memory.Memory.wrap(bytes));
    int count = in.readInt();
    List<Scored> held = count < 0 ? null : new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      String id = in.readUTF();
      double sim = in.readDouble();
      long tokens = in.readLong();
      byte[] payload = new byte[in.readInt()];
      in.readFully(payload);
      held.add(new Scored(id, sim, tokens, payload));
    }
    return new FractionPolicy(fraction, warmUp, seen, sketch, held);
  }

  /**
   * Scores one document. Returns the documents accepted by this step: during warm-up nothing until
   * the warm-up's last document, then the batch rule's choice among all held ones; afterwards this
   * document if it clears the threshold.
   */
  public List<Scored> offer(Scored doc) {
    seen++;
    if (doc.tokens() > 0) {
      sketch.update(doc.similarity(), doc.tokens());
    }
    if (held != null) {
      held.add(doc);
      if (held.size() < warmUp) {
        return List.of();
      }
      List<Scored> decided = decideHeld();
      held = null;
      return decided;
    }
    return accepts(doc) ? List.of(doc) : List.of();
  }

  /**
   * Above the threshold: yes; below: no; exactly at it (similarities tie often with small K), a
   * share of the tied documents chosen by a hash of their id, so that the accepted token mass stays
   * at the fraction instead of taking the whole tie.
   */
  private boolean accepts(Scored doc) {
    double q = threshold();
    if (doc.similarity() != q) {
      return doc.similarity() > q;
    }
    double atOrBelow = sketch.getRank(q, QuantileSearchCriteria.INCLUSIVE);
    double below = sketch.getRank(q, QuantileSearchCriteria.EXCLUSIVE);
    double tie = atOrBelow - below;
    double share = tie <= 0 ? 1.0 : (fraction - (1.0 - atOrBelow)) / tie;
    return unitHash(doc.docId()) < share;
  }

  /** A stable pseudo-random number in [0, 1) from a doc id. */
  static double unitHash(String docId) {
    long h = docId.hashCode() * 0x9E3779B97F4A7C15L;
    h ^= h >>> 32;
    h *= 0xD6E8FEB86659FD93L;
    h ^= h >>> 32;
    return (h >>> 11) * 0x1.0p-53;
  }

  private List<Scored> decideHeld() {
    int n = held.size();
    double[] distances = new double[n];
    String[] ids = new String[n];
    long[] tokens = new long[n];
    for (int i = 0; i < n; i++) {
      distances[i] = 1.0 - held.get(i).similarity();
      ids[i] = held.get(i).docId();
      tokens[i] = held.get(i).tokens();
    }
    List<Scored> accepted = new ArrayList<>();
    for (int i : BudgetSelection.select(distances, ids, false, tokens, fraction)) {
      accepted.add(held.get(i));
    }
    return accepted;
  }

  /** The similarity a document needs now (NaN before any token was seen). */
  public double threshold() {
    if (sketch.isEmpty()) {
      return Double.NaN;
    }
    return sketch.getQuantile(1.0 - fraction, QuantileSearchCriteria.INCLUSIVE);
  }

  public boolean warmingUp() {
    return held != null;
  }

  /** Documents held until the warm-up ends. */
  public List<Scored> held() {
    return held == null ? List.of() : List.copyOf(held);
  }

  public long seen() {
    return seen;
  }
}
