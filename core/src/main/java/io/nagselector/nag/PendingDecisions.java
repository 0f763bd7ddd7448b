package io.nagselector.nag;

import java.util.ArrayList;
import java.util.List;

/**
 * The second half of the fraction rule: a target's documents that their shards left undecided, near
 * the cut, wait here and are decided by a quantile of the target's whole stream (every shard of
 * every parallel instance), once its band no longer holds them, or by its threshold once they have
 * waited {@code maxHold}. A stream cannot take back what it accepted; holding back only what is
 * near the cut lets it decide those by more observations than it had when they arrived, which is
 * what keeps one stream's share and its agreement with the batch rule close (see
 * docs/streaming.md). Pure: the operator keeps the pending documents and the policy.
 */
public final class PendingDecisions {
  private PendingDecisions() {}

  /** A document held since {@code heldAt} (milliseconds). */
  public record Pending(String docId, double similarity, long tokens, long heldAt) {}

  /** What a pass decided, by the threshold in force then. */
  public record Settled(List<Pending> accepted, List<Pending> rejected, double threshold) {
    public boolean isEmpty() {
      return accepted.isEmpty() && rejected.isEmpty();
    }
  }

  /** A pass over every pending document pays when the band may have narrowed by 1/64 or more. */
  private static final double RESCAN_GROWTH = 1.0 + 1.0 / 64;

  /**
   * Whether a pass over all pending documents is due, now that the policy has seen {@code
   * effectiveNow} documents and the last pass {@code effectiveAtLastPass}.
   */
  public static boolean passDue(double effectiveNow, double effectiveAtLastPass) {
    return effectiveNow >= effectiveAtLastPass * RESCAN_GROWTH;
  }

  /**
   * Decides those of {@code pending} outside the policy's band of {@code sigmas} once it has seen
   * {@code warmUp} documents, and those held {@code maxHoldMillis} or longer at {@code now} by its
   * threshold (a fair share of a tie at it); counts each decision in the policy.
   */
  public static Settled settle(
      FractionPolicy policy,
      double sigmas,
      int warmUp,
      Iterable<Pending> pending,
      long now,
      long maxHoldMillis) {
    List<Pending> accepted = new ArrayList<>();
    List<Pending> rejected = new ArrayList<>();
    boolean warm = FractionRule.warm(policy, warmUp);
    for (Pending p : pending) {
      FractionPolicy.Verdict verdict =
          warm
              ? policy.verdict(p.docId(), p.similarity(), sigmas)
              : FractionPolicy.Verdict.UNDECIDED;
      if (verdict == FractionPolicy.Verdict.UNDECIDED && now - p.heldAt() >= maxHoldMillis) {
        verdict =
            policy.accepts(p.docId(), p.similarity())
                ? FractionPolicy.Verdict.ACCEPT
                : FractionPolicy.Verdict.REJECT;
      }
      if (verdict != FractionPolicy.Verdict.UNDECIDED) {
        boolean accepts = verdict == FractionPolicy.Verdict.ACCEPT;
        policy.decided(p.tokens(), accepts);
        (accepts ? accepted : rejected).add(p);
      }
    }
    return new Settled(accepted, rejected, policy.threshold());
  }

  /** Decides every one of {@code pending} by the policy's threshold: its version ended. */
  public static Settled settleAll(FractionPolicy policy, Iterable<Pending> pending) {
    return settle(policy, 0, 0, pending, Long.MAX_VALUE, 0);
  }
}
