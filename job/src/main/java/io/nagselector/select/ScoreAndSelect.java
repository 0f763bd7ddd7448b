package io.nagselector.select;

import io.nagselector.avro.SelectedDocument;
import io.nagselector.control.TargetUpdate;
import io.nagselector.ingest.DeadLetters;
import io.nagselector.pipeline.ExtractedDocument;
import io.nagselector.pipeline.FractionSketches;
import io.nagselector.pipeline.ShardTopK;
import io.nagselector.pipeline.TargetDefinition;
import java.time.Duration;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.typeutils.EitherTypeInfo;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.functions.co.KeyedBroadcastProcessFunction;
import org.apache.flink.types.Either;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Operator 5, keyed by a virtual shard of the doc id and connected to the broadcast targets: scores
 * each document against every active target and applies its policy (threshold, or the fraction rule
 * with a warm-up). Per shard and target, keyed state holds the running top-k; the fraction rule's
 * running quantile is shared by all shards of a parallel instance (operator state, see {@link
 * InstanceSketches}). A fraction target's decisions, and the documents the shard leaves undecided
 * (near its cut, or all while the instance's quantile warms up), go to {@link SettleFractions}
 * ({@link #FRACTION_VOTES}). (A warm-up held per shard by earlier builds is restored from {@link
 * ShardTargets} and handed on undecided.) A new target version starts afresh; a removed target's
 * state is dropped on every shard.
 */
public final class ScoreAndSelect
    extends KeyedBroadcastProcessFunction<
        Integer, ExtractedDocument, TargetUpdate, SelectedDocument>
    implements CheckpointedFunction {
  public static final MapStateDescriptor<String, TargetDefinition> TARGETS =
      new MapStateDescriptor<>("targets", Types.STRING, TypeInformation.of(TargetDefinition.class));

  public static final OutputTag<ShardTopK> TOP_K = new OutputTag<>("top-k") {};

  /** A fraction target's decisions and undecided documents, for its whole-stream rule. */
  public static final OutputTag<Either<FractionVote, FractionCandidate>> FRACTION_VOTES =
      new OutputTag<>(
          "fraction-votes",
          new EitherTypeInfo<>(
              TypeInformation.of(FractionVote.class), TypeInformation.of(FractionCandidate.class)));

  private final String modelFingerprint;
  private final int warmUp;
  private final double holdSigmas;
  private final long topKIntervalMillis;
  private final boolean awaitReplay;
  private transient AwaitingRegistry awaiting;
  private transient ShardTargets shardTargets;
  private transient ListState<FractionSketches.Entry> sketchState;
  private transient InstanceSketches sketches;
  private transient PublishTimer topKTimer;
  private transient TargetProfiles profiles;
  private transient TargetScoring scoring;

  /**
   * @param awaitReplay a job started without state whose control topic held commands: documents
   *     wait until the registry has applied them all ({@link TargetUpdate.EndOfReplay})
   */
  public ScoreAndSelect(
      String modelFingerprint,
      int warmUp,
      double holdSigmas,
      Duration topKInterval,
      boolean awaitReplay) {
    this.modelFingerprint = modelFingerprint;
    this.warmUp = warmUp;
    this.holdSigmas = holdSigmas;
    this.topKIntervalMillis = topKInterval.toMillis();
    this.awaitReplay = awaitReplay;
  }

  /** The virtual shard a document belongs to. */
  public static int shard(String docId, int shards) {
    return Math.floorMod(docId.hashCode(), shards);
  }

  @Override
  public void open(OpenContext context) {
    shardTargets = new ShardTargets(getRuntimeContext());
    topKTimer =
        new PublishTimer(
            getRuntimeContext().getState(new ValueStateDescriptor<>("next-top-k", Long.class)),
            topKIntervalMillis);
    profiles = new TargetProfiles();
    scoring =
        new TargetScoring(
            shardTargets,
            sketches,
            profiles,
            new TargetMetrics(getRuntimeContext().getMetricGroup()),
            warmUp,
            holdSigmas);
    getRuntimeContext().getMetricGroup().gauge("awaitingRegistry", () -> awaiting.count());
  }

  @Override
  public void processBroadcastElement(
      TargetUpdate update, Context ctx, Collector<SelectedDocument> out) throws Exception {
    if (update instanceof TargetUpdate.EndOfReplay) {
      awaiting.endOfReplay();
      return;
    }
    String name = update.name();
    if (update instanceof TargetUpdate.Removal) {
      ctx.getBroadcastState(TARGETS).remove(name);
      profiles.remove(name);
      ShardTargets.remove(ctx, name);
      sketches.remove(name);
      return;
    }
    TargetDefinition def = ((TargetUpdate.Upsert) update).target();
    if (!def.modelFingerprint().equals(modelFingerprint)) {
      ctx.output(
          DeadLetters.TAG,
          TargetProfiles.otherModel(def, modelFingerprint, ctx.currentProcessingTime()));
      return;
    }
    ctx.getBroadcastState(TARGETS).put(def.name(), def);
  }

  @Override
  public void processElement(
      ExtractedDocument doc, ReadOnlyContext ctx, Collector<SelectedDocument> out)
      throws Exception {
    long now = ctx.timerService().currentProcessingTime();
    topKTimer.schedule(ctx.timerService());
    int shard = ctx.getCurrentKey();
    if (!awaiting.replayed()) {
      awaiting.hold(shard, doc);
      ctx.timerService().registerProcessingTimeTimer(AwaitingRegistry.nextCheck(now));
      return;
    }
    if (awaiting.mayHold(shard)) {
      for (ExtractedDocument earlier : awaiting.release(shard)) {
        score(earlier, ctx, out);
      }
    }
    score(doc, ctx, out);
  }

  /** Scores a document against every active target and applies each one's policy. */
  private void score(ExtractedDocument doc, ReadOnlyContext ctx, Collector<SelectedDocument> out)
      throws Exception {
    long now = ctx.timerService().currentProcessingTime();
    for (Map.Entry<String, TargetDefinition> entry :
        ctx.getBroadcastState(TARGETS).immutableEntries()) {
      TargetDefinition def = entry.getValue();
      if (def.paused()) {
        continue;
      }
      ShardDecision decision = scoring.offer(def, doc, now);
      decision.selected().forEach(out::collect);
      decision.votes().forEach(v -> ctx.output(FRACTION_VOTES, v));
    }
  }

  @Override
  public void snapshotState(FunctionSnapshotContext context) throws Exception {
    sketchState.update(
        sketches.snapshot(getRuntimeContext().getTaskInfo().getIndexOfThisSubtask() == 0));
    awaiting.snapshot();
  }

  @Override
  public void initializeState(FunctionInitializationContext context) throws Exception {
    sketchState = context.getOperatorStateStore().getUnionListState(InstanceSketches.STATE);
    sketches =
        context.isRestored() ? InstanceSketches.restore(sketchState.get()) : new InstanceSketches();
    awaiting = new AwaitingRegistry(context, awaitReplay);
  }

  /**
   * Two timers: the check whether documents that waited for the registry's replay may go, and the
   * publication of this shard's top-k of every target (the next waits for the next document).
   */
  @Override
  public void onTimer(long timestamp, OnTimerContext ctx, Collector<SelectedDocument> out)
      throws Exception {
    if (awaiting.replayed()) {
      for (ExtractedDocument earlier : awaiting.release(ctx.getCurrentKey())) {
        score(earlier, ctx, out);
      }
    } else {
      ctx.timerService().registerProcessingTimeTimer(AwaitingRegistry.nextCheck(timestamp));
    }
    if (topKTimer.fired(timestamp)) {
      publishTopK(ctx);
    }
  }

  private void publishTopK(OnTimerContext ctx) throws Exception {
    for (Map.Entry<String, TargetDefinition> entry :
        ctx.getBroadcastState(TARGETS).immutableEntries()) {
      TargetDefinition def = entry.getValue();
      ShardTopK topK = shardTargets.topK(def, ctx.getCurrentKey(), () -> scoring.threshold(def));
      if (topK != null) {
        ctx.output(TOP_K, topK);
      }
    }
  }
}
