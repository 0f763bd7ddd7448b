package io.nagselector.select;

import io.nagselector.avro.SelectedDocument;
import io.nagselector.control.TargetUpdate;
import io.nagselector.nag.FractionRule;
import io.nagselector.nag.PendingDecisions;
import io.nagselector.pipeline.SettledCount;
import io.nagselector.select.WholeStreamSketches.Target;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.State;
import org.apache.flink.api.common.state.StateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.functions.co.KeyedBroadcastProcessFunction;
import org.apache.flink.types.Either;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Operator 5b, keyed by target: the fraction rule over a target's whole stream. Every shard's
 * decision feeds the target's quantile ({@link FractionVote}), kept in keyed state; the documents
 * the shards left undecided ({@link FractionCandidate}) wait in keyed state until that quantile has
 * seen {@code warmUp} documents and its band excludes them, or for {@code maxHold} at most ({@link
 * PendingDecisions}). What it accepted is counted into the target's published top-k ({@link
 * #ACCEPTED}). The broadcast updates only matter when a target is removed.
 */
public final class SettleFractions
    extends KeyedBroadcastProcessFunction<
        String, Either<FractionVote, FractionCandidate>, TargetUpdate, SelectedDocument>
    implements CheckpointedFunction {
  /** How many documents this operator accepted for a target's current version, now and then. */
  public static final OutputTag<SettledCount> ACCEPTED = new OutputTag<>("settled-counts") {};

  /** It keeps no broadcast state: the updates only say which target was removed. */
  public static final MapStateDescriptor<?, ?>[] BROADCAST_STATE = {};

  private static final ValueStateDescriptor<Long> ACCEPTED_HERE =
      new ValueStateDescriptor<>("accepted", Types.LONG);
  private static final ValueStateDescriptor<Long> NEXT_PUBLISH =
      new ValueStateDescriptor<>("next-publish", Types.LONG);

  /** Max-hold timers fire on whole seconds, so that a second's documents share one. */
  private static final long HOLD_TIMER_MILLIS = 1000;

  private final double sigmas;
  private final int warmUp;
  private final long maxHoldMillis;
  private final long publishIntervalMillis;
  private transient UndecidedDocuments undecided;
  private transient ValueState<Long> accepted;
  private transient PublishTimer publish;
  private transient WholeStreamSketches sketches;
  private transient TargetMetrics metrics;

  public SettleFractions(double sigmas, int warmUp, Duration maxHold, Duration publishInterval) {
    this.sigmas = sigmas;
    this.warmUp = warmUp;
    this.maxHoldMillis = maxHold.toMillis();
    this.publishIntervalMillis = publishInterval.toMillis();
  }

  /** The target a vote or candidate is for: the key. */
  public static String target(Either<FractionVote, FractionCandidate> in) {
    return in.isLeft() ? in.left().target() : in.right().target();
  }

  /** The processing time a held document's max-hold timer fires. */
  static long holdTimer(long due) {
    return due - due % HOLD_TIMER_MILLIS + HOLD_TIMER_MILLIS;
  }

  /** Whether a timer that fired at {@code timestamp} is a max-hold timer. */
  private static boolean isHoldTimer(long timestamp) {
    return timestamp % HOLD_TIMER_MILLIS == 0;
  }

  @Override
  public void open(OpenContext context) {
    undecided =
        new UndecidedDocuments(
            getRuntimeContext().getMapState(UndecidedDocuments.UNDECIDED),
            getRuntimeContext().getMapState(UndecidedDocuments.SELECTIONS));
    accepted = getRuntimeContext().getState(ACCEPTED_HERE);
    publish = new PublishTimer(getRuntimeContext().getState(NEXT_PUBLISH), publishIntervalMillis);
    metrics = new TargetMetrics(getRuntimeContext().getMetricGroup());
  }

  @Override
  public void processElement(
      Either<FractionVote, FractionCandidate> in,
      ReadOnlyContext ctx,
      Collector<SelectedDocument> out)
      throws Exception {
    long now = ctx.timerService().currentProcessingTime();
    String name = ctx.getCurrentKey();
    boolean vote = in.isLeft();
    int version = vote ? in.left().version() : in.right().version();
    double fraction = vote ? in.left().fraction() : in.right().fraction();
    Target t = current(name, version, fraction, ctx, out);
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
      hold(name, t, in.right(), now, ctx, out);
    }
    boolean warmedUp = !t.warm && FractionRule.warm(t.policy, warmUp);
    if (warmedUp || PendingDecisions.passDue(t.policy.effectiveDocuments(), t.passedAt)) {
      t.warm = FractionRule.warm(t.policy, warmUp);
      pass(name, t, now, ctx, out);
    }
    metrics.acceptedShare(name, t.policy.acceptedShare());
  }

  /** Keeps an undecided document until its max-hold, unless the band excludes it at once. */
  private void hold(
      String name,
      Target t,
      FractionCandidate c,
      long now,
      ReadOnlyContext ctx,
      Collector<SelectedDocument> out)
      throws Exception {
    sketches.observe(name, t, c.selection().getSimilarity(), c.tokens(), null);
    PendingDecisions.Pending p = undecided.hold(c, t.version, now);
    ctx.timerService().registerProcessingTimeTimer(holdTimer(now + maxHoldMillis));
    apply(
        name,
        t,
        PendingDecisions.settle(t.policy, sigmas, warmUp, List.of(p), now, maxHoldMillis),
        ctx,
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
      ReadOnlyContext ctx,
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
        apply(name, t, left, ctx, out);
      }
      accepted.clear();
      t = sketches.start(name, version, fraction);
    }
    return t;
  }

  /** Decides what the band now excludes, and what has waited long enough. */
  private void pass(
      String name, Target t, long now, ReadOnlyContext ctx, Collector<SelectedDocument> out)
      throws Exception {
    apply(
        name,
        t,
        PendingDecisions.settle(
            t.policy, sigmas, warmUp, undecided.of(t.version, out), now, maxHoldMillis),
        ctx,
        out);
    t.passedAt = t.policy.effectiveDocuments();
  }

  /** Publishes the accepted documents, forgets the decided ones. */
  private void apply(
      String name,
      Target t,
      PendingDecisions.Settled settled,
      ReadOnlyContext ctx,
      Collector<SelectedDocument> out)
      throws Exception {
    if (settled.isEmpty()) {
      return;
    }
    sketches.decided(name, t, settled);
    undecided.take(settled, ctx.timerService().currentProcessingTime()).forEach(out::collect);
    if (!settled.accepted().isEmpty()) {
      Long before = accepted.value();
      accepted.update((before == null ? 0 : before) + settled.accepted().size());
      metrics.accepted(name, settled.accepted().size());
      publish.schedule(ctx.timerService());
    }
  }

  /**
   * Two timers: the publication of the count accepted here, and (on whole seconds) the max-hold of
   * what waits. A publication that falls on a whole second also passes, which decides nothing
   * early.
   */
  @Override
  public void onTimer(long timestamp, OnTimerContext ctx, Collector<SelectedDocument> out)
      throws Exception {
    String name = ctx.getCurrentKey();
    Target t = sketches.get(name);
    if (t == null) {
      return; // removed
    }
    if (publish.fired(timestamp)) {
      Long count = accepted.value();
      ctx.output(ACCEPTED, new SettledCount(name, t.version, count == null ? 0 : count));
    }
    if (isHoldTimer(timestamp)) {
      pass(name, t, ctx.timerService().currentProcessingTime(), ctx, out);
      metrics.acceptedShare(name, t.policy.acceptedShare());
    }
  }

  @Override
  public void processBroadcastElement(
      TargetUpdate update, Context ctx, Collector<SelectedDocument> out) throws Exception {
    if (!(update instanceof TargetUpdate.Removal)) {
      return;
    }
    String name = update.name();
    sketches.removed(name);
    List<StateDescriptor<? extends State, ?>> keyed = new ArrayList<>(WholeStreamSketches.KEYED);
    keyed.addAll(List.of(UndecidedDocuments.UNDECIDED, UndecidedDocuments.SELECTIONS));
    keyed.addAll(List.of(ACCEPTED_HERE, NEXT_PUBLISH));
    for (StateDescriptor<? extends State, ?> d : keyed) {
      clearKey(ctx, d, name);
    }
  }

  private static <S extends State> void clearKey(
      Context ctx, StateDescriptor<S, ?> descriptor, String name) throws Exception {
    ctx.applyToKeyedState(
        descriptor,
        (key, state) -> {
          if (key.equals(name)) {
            state.clear();
          }
        });
  }

  @Override
  public void snapshotState(FunctionSnapshotContext context) throws Exception {
    sketches.snapshot();
  }

  @Override
  public void initializeState(FunctionInitializationContext context) throws Exception {
    sketches = new WholeStreamSketches(context, getRuntimeContext().getTaskInfo());
  }
}
