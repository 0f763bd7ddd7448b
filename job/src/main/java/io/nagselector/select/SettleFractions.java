package io.nagselector.select;

import io.nagselector.avro.SelectedDocument;
import io.nagselector.control.TargetUpdate;
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

  private static final ValueStateDescriptor<Long> NEXT_PUBLISH =
      new ValueStateDescriptor<>("next-publish", Types.LONG);

  private final double sigmas;
  private final int warmUp;
  private final long maxHoldMillis;
  private final long publishIntervalMillis;
  private transient UndecidedDocuments undecided;
  private transient AcceptedCount accepted;
  private transient PublishTimer publish;
  private transient WholeStreamSketches sketches;
  private transient TargetMetrics metrics;
  private transient FractionSettlement settlement;

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

  @Override
  public void open(OpenContext context) {
    undecided =
        new UndecidedDocuments(
            getRuntimeContext().getMapState(UndecidedDocuments.UNDECIDED),
            getRuntimeContext().getMapState(UndecidedDocuments.SELECTIONS));
    accepted = new AcceptedCount(getRuntimeContext().getState(AcceptedCount.DESCRIPTOR));
    publish = new PublishTimer(getRuntimeContext().getState(NEXT_PUBLISH), publishIntervalMillis);
    metrics = new TargetMetrics(getRuntimeContext().getMetricGroup());
    settlement =
        new FractionSettlement(
            sketches, undecided, accepted, publish, metrics, sigmas, warmUp, maxHoldMillis);
  }

  @Override
  public void processElement(
      Either<FractionVote, FractionCandidate> in,
      ReadOnlyContext ctx,
      Collector<SelectedDocument> out)
      throws Exception {
    settlement.offer(ctx.getCurrentKey(), in, ctx.timerService(), out);
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
      ctx.output(ACCEPTED, new SettledCount(name, t.version, accepted.get()));
    }
    if (HoldTimer.is(timestamp)) {
      settlement.pass(name, t, ctx.timerService().currentProcessingTime(), ctx.timerService(), out);
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
    keyed.addAll(List.of(AcceptedCount.DESCRIPTOR, NEXT_PUBLISH));
    RemovedTarget.clear(ctx, name, keyed);
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
