package io.nagselector.select;

import io.nagselector.avro.SelectedDocument;
import io.nagselector.nag.FractionRule;
import io.nagselector.nag.PendingDecisions;
import io.nagselector.select.WholeStreamSketches.Target;
import java.util.List;
import org.apache.flink.streaming.api.TimerService;
import org.apache.flink.types.Either;
import org.apache.flink.util.Collector;

/**
 * {@link SettleFractions}' rule for the target in hand: its quantile sees every vote; an undecided
 * document waits until the band excludes it or its max-hold ends ({@link PendingDecisions}); a
 * newer version starts afresh once the older one's undecided documents are decided by its
 * threshold. What it accepts is published and counted.
 */
final class FractionSettlement {
  private final WholeStreamSketches sketches;
  private final UndecidedDocuments undecided;
  private final AcceptedCount accepted;
  private final PublishTimer publish;
  private final TargetMetrics metrics;
  private final double sigmas;
  private final int warmUp;
  private final long maxHoldMillis;

  FractionSettlement(
      WholeStreamSketches sketches,
      UndecidedDocuments undecided,
      AcceptedCount accepted,
      PublishTimer publish,
      TargetMetrics metrics,
      double sigmas,
      int warmUp,
      long maxHoldMillis) {
    this.sketches = sketches;
    this.undecided = undecided;
    this.accepted = accepted;
    this.publish = publish;
    this.metrics = metrics;
    this.sigmas = sigmas;
    this.warmUp = warmUp;
    this.maxHoldMillis = maxHoldMillis;
  }

  /** A shard's vote or undecided document for target {@code name}. */
  void offer(
      String name,
      Either<FractionVote, FractionCandidate> in,
      TimerService timers,
      Collector<SelectedDocument> out)
      throws Exception {
    long now = timers.currentProcessingTime();
    boolean vote = in.isLeft();
    int version = vote ? in.left().version() : in.right().version();
    double fraction = vote ? in.left().fraction() : in.right().fraction();
    Target t = current(name, version, fraction, timers, out);
    if (t == null) { // a version that ended here: its shard decides
      if (!vote && in.right().shardAccepts()) {
        out.collect(in.right().selection());
      }
      return;
    }
    if (vote) {
      FractionVote v = in.left();
      sketches.observe(name, t, v.similarity(), v.tokens(), v.accepted());
    } else {
      hold(name, t, in.right(), now, timers, out);
    }
    boolean warmedUp = !t.warm && FractionRule.warm(t.policy, warmUp);
    if (warmedUp || PendingDecisions.passDue(t.policy.effectiveDocuments(), t.passedAt)) {
      t.warm = FractionRule.warm(t.policy, warmUp);
      pass(name, t, now, timers, out);
    }
    metrics.acceptedShare(name, t.policy.acceptedShare());
  }

  /** Keeps an undecided document until its max-hold, unless the band excludes it at once. */
  private void hold(
      String name,
      Target t,
      FractionCandidate c,
      long now,
      TimerService timers,
      Collector<SelectedDocument> out)
      throws Exception {
    sketches.observe(name, t, c.selection().getSimilarity(), c.tokens(), null);
    PendingDecisions.Pending p = undecided.hold(c, t.version, now);
    timers.registerProcessingTimeTimer(HoldTimer.at(now + maxHoldMillis));
    apply(
        name,
        t,
        PendingDecisions.settle(t.policy, sigmas, warmUp, List.of(p), now, maxHoldMillis),
        timers,
        out);
  }

  /**
   * This target's whole-stream rule for {@code version}: a fresh one for a newer version (what the
   * older one left pending is decided by its threshold first); null for an older version.
   */
  private Target current(
      String name,
      int version,
      double fraction,
      TimerService timers,
      Collector<SelectedDocument> out)
      throws Exception {
    Target t = sketches.get(name);
    if (t != null && version < t.version) {
      return null;
    }
    if (t == null || version > t.version) {
      if (t != null) {
        PendingDecisions.Settled left =
            PendingDecisions.settleAll(t.policy, undecided.of(t.version, out));
        apply(name, t, left, timers, out);
      }
      accepted.reset();
      t = sketches.start(name, version, fraction);
    }
    return t;
  }

  /** Decides what the band now excludes, and what has waited long enough. */
  void pass(String name, Target t, long now, TimerService timers, Collector<SelectedDocument> out)
      throws Exception {
    apply(
        name,
        t,
        PendingDecisions.settle(
            t.policy, sigmas, warmUp, undecided.of(t.version, out), now, maxHoldMillis),
        timers,
        out);
    t.passedAt = t.policy.effectiveDocuments();
  }

  /** Publishes the accepted documents, forgets the decided ones. */
  private void apply(
      String name,
      Target t,
      PendingDecisions.Settled settled,
      TimerService timers,
      Collector<SelectedDocument> out)
      throws Exception {
    if (settled.isEmpty()) {
      return;
    }
    sketches.decided(name, t, settled);
    undecided.take(settled, timers.currentProcessingTime()).forEach(out::collect);
    if (!settled.accepted().isEmpty()) {
      accepted.add(settled.accepted().size());
      metrics.accepted(name, settled.accepted().size());
      publish.schedule(timers);
    }
  }
}
