package io.nagselector.nag;

import java.util.ArrayList;
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
   * stream to decide (a fraction target's, near the cut or while warming up).
   */
  public record Result(
      List<FractionPolicy.Scored> accepted,
      List<FractionPolicy.Scored> rejected,
      List<FractionPolicy.Scored> undecided,
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

  /** A version's first state on a shard. */
  public static ShardSelection start(int version, int topK) {
    return new ShardSelection(version, 0, new RunningTopK(topK), 0, true);
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
      return new Result(List.of(doc), List.of(), List.of(), threshold, changed);
    }
    return new Result(List.of(), List.of(doc), List.of(), threshold, changed);
  }

  /**
   * A fraction target's decision ({@link FractionRule}, with a band {@code sigmas} standard errors
   * wide, after a warm-up of {@code warmUp} documents of the instance's quantile); {@code held}
   * gives the documents this shard held for a warm-up of its own, as builds before this one did,
   * and is called only while this state has such a warm-up left: they go to the target's whole
   * stream, undecided, with the first document offered. The threshold is NaN while warming up.
   */
  public Result offer(
      FractionPolicy.Scored doc,
      String url,
      FractionState fraction,
      double sigmas,
      int warmUp,
      Supplier<List<FractionPolicy.Scored>> held) {
    boolean changed = offerToTopK(doc, url);
    List<FractionPolicy.Scored> undecided = new ArrayList<>();
    if (warmUpLeft > 0) {
      undecided.addAll(held.get());
      warmUpLeft = 0;
      changed = true;
    }
    FractionRule.Outcome outcome = FractionRule.offer(fraction, sigmas, warmUp, doc);
    if (outcome instanceof FractionRule.WarmingUp) {
      undecided.add(doc);
      return new Result(List.of(), List.of(), undecided, Double.NaN, changed);
    }
    FractionRule.Decided decided = (FractionRule.Decided) outcome;
    return switch (decided.verdict()) {
      case ACCEPT -> {
        accepted++;
        yield new Result(List.of(doc), List.of(), undecided, decided.threshold(), changed);
      }
      case REJECT -> new Result(List.of(), List.of(doc), undecided, decided.threshold(), changed);
      case UNDECIDED -> {
        undecided.add(doc);
        yield new Result(List.of(), List.of(), undecided, decided.threshold(), changed);
      }
    };
  }

  private boolean offerToTopK(FractionPolicy.Scored doc, String url) {
    return topK.offer(new RunningTopK.Entry(doc.docId(), doc.similarity(), doc.tokens(), url));
  }

  public int version() {
    return version;
  }

  /** Warm-up places left of a shard's own warm-up, as builds before this one held (else 0). */
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
