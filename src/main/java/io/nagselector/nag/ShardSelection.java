package io.nagselector.nag;

import java.util.List;
import java.util.function.Supplier;

/**
 * One target version's selection on one shard: its warm-up places left, its running top-k and how
 * many documents it accepted. {@link #offer} decides a scored document by the target's policy and
 * says what to publish. Pure: the operator loads it from keyed state and saves it back, keeps the
 * warm-up's held documents, and shares the fraction rule's quantile between its shards.
 */
public final class ShardSelection {
  /**
   * What an offered document did: the documents accepted, rejected, and left for the target's whole
   * stream to decide (a fraction target's, near the cut); whether it was held for the warm-up.
   */
  public record Result(
      List<FractionPolicy.Scored> accepted,
      List<FractionPolicy.Scored> rejected,
      List<FractionPolicy.Scored> undecided,
      boolean held,
      double threshold,
      boolean stateChanged) {
    /** Whether the shard accepted anything. */
    public boolean acceptedAny() {
      return !accepted.isEmpty();
    }
  }

  private final int version;
  private final RunningTopK topK;
  private final boolean fresh;
  private int warmUpLeft;
  private long accepted;

  private ShardSelection(
      int version, int warmUpLeft, RunningTopK topK, long accepted, boolean fresh) {
    this.version = version;
    this.warmUpLeft = warmUpLeft;
    this.topK = topK;
    this.accepted = accepted;
    this.fresh = fresh;
  }

  /**
   * A version's first state on a shard: a fraction target holds {@code warmUp} documents first, a
   * threshold target none.
   */
  public static ShardSelection start(int version, boolean fraction, int warmUp, int topK) {
    return new ShardSelection(version, fraction ? warmUp : 0, new RunningTopK(topK), 0, true);
  }

  /** A stored state. */
  public static ShardSelection restore(
      int version, int warmUpLeft, int topK, List<RunningTopK.Entry> best, long accepted) {
    return new ShardSelection(version, warmUpLeft, RunningTopK.of(topK, best), accepted, false);
  }

  /**
   * A threshold target's decision: accepted when at or above {@code threshold}; every document is
   * offered to the top-k.
   */
  public Result offer(FractionPolicy.Scored doc, String url, double threshold) {
    boolean changed = offerToTopK(doc, url);
    if (doc.similarity() >= threshold) {
      accepted++;
      return new Result(List.of(doc), List.of(), List.of(), false, threshold, changed);
    }
    return new Result(List.of(), List.of(doc), List.of(), false, threshold, changed);
  }

  /**
   * A fraction target's decision ({@link FractionRule}, with a band {@code sigmas} standard errors
   * wide); {@code held} gives this shard's held documents, and is called only when {@code doc}
   * completes the warm-up. The threshold is NaN while the warm-up holds documents.
   */
  public Result offer(
      FractionPolicy.Scored doc,
      String url,
      FractionState fraction,
      double sigmas,
      Supplier<List<FractionPolicy.Scored>> held) {
    boolean changed = offerToTopK(doc, url);
    List<FractionPolicy.Scored> warmUp = warmUpLeft == 1 ? held.get() : List.of();
    FractionRule.Outcome outcome = FractionRule.offer(fraction, sigmas, warmUpLeft, doc, warmUp);
    if (outcome instanceof FractionRule.Held) {
      warmUpLeft--;
      return new Result(List.of(), List.of(), List.of(), true, Double.NaN, true);
    }
    if (outcome instanceof FractionRule.WarmUpDecided decided) {
      warmUpLeft = 0;
      accepted += decided.accepted().size();
      return new Result(
          decided.accepted(),
          decided.rejected(),
          decided.undecided(),
          false,
          decided.threshold(),
          true);
    }
    FractionRule.Decided decided = (FractionRule.Decided) outcome;
    return switch (decided.verdict()) {
      case ACCEPT -> {
        accepted++;
        yield new Result(List.of(doc), List.of(), List.of(), false, decided.threshold(), changed);
      }
      case REJECT ->
          new Result(List.of(), List.of(doc), List.of(), false, decided.threshold(), changed);
      case UNDECIDED ->
          new Result(List.of(), List.of(), List.of(doc), false, decided.threshold(), changed);
    };
  }

  private boolean offerToTopK(FractionPolicy.Scored doc, String url) {
    return topK.offer(new RunningTopK.Entry(doc.docId(), doc.similarity(), doc.tokens(), url));
  }

  public int version() {
    return version;
  }

  /** Warm-up places left (0 once decided, and for a threshold target). */
  public int warmUpLeft() {
    return warmUpLeft;
  }

  public RunningTopK topK() {
    return topK;
  }

  /** Documents this shard accepted for the version. */
  public long accepted() {
    return accepted;
  }

  /** Whether it was started here, not restored: it is saved even when nothing changed. */
  public boolean fresh() {
    return fresh;
  }
}
