package io.nagselector.select;

import io.nagselector.avro.DeadLetterReason;
import io.nagselector.avro.SelectedDocument;
import io.nagselector.control.TargetUpdate;
import io.nagselector.ingest.DeadLetters;
import io.nagselector.nag.FractionPolicy;
import io.nagselector.nag.FractionRule;
import io.nagselector.nag.FractionState;
import io.nagselector.nag.NagFeature;
import io.nagselector.nag.RunningTopK;
import io.nagselector.nag.ShardSelection;
import io.nagselector.nag.Similarity;
import io.nagselector.nag.TargetProfile;
import io.nagselector.pipeline.ExtractedDocument;
import io.nagselector.pipeline.FractionSketches;
import io.nagselector.pipeline.HeldDocument;
import io.nagselector.pipeline.ShardState;
import io.nagselector.pipeline.ShardTopK;
import io.nagselector.pipeline.TargetDefinition;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.MapState;
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
 * #HELD} and handed on undecided.) A new target version starts afresh; a removed target's state is
 * dropped on every shard.
 */
public final class ScoreAndSelect
    extends KeyedBroadcastProcessFunction<
        Integer, ExtractedDocument, TargetUpdate, SelectedDocument>
    implements CheckpointedFunction {
  public static final MapStateDescriptor<String, TargetDefinition> TARGETS =
      new MapStateDescriptor<>("targets", Types.STRING, TypeInformation.of(TargetDefinition.class));
  static final MapStateDescriptor<String, ShardState> PER_TARGET =
      new MapStateDescriptor<>("per-target", Types.STRING, TypeInformation.of(ShardState.class));

  /** Warm-up documents, keyed by target name, NUL, doc id ({@link HeldDocuments}). */
  static final MapStateDescriptor<String, HeldDocument> HELD =
      new MapStateDescriptor<>("held", Types.STRING, TypeInformation.of(HeldDocument.class));

  /** Documents accepted by this shard for the target's current version (apart: written often). */
  static final MapStateDescriptor<String, Long> ACCEPTED =
      new MapStateDescriptor<>("accepted", Types.STRING, Types.LONG);

  /** Whether the registry had replayed the control topic, one value per instance (union). */
  private static final ListStateDescriptor<Boolean> REPLAYED =
      new ListStateDescriptor<>("registry-replayed", Types.BOOLEAN);

  private static final ListStateDescriptor<FractionSketches.Entry> SKETCHES =
      new ListStateDescriptor<>(
          "fraction-sketches", TypeInformation.of(FractionSketches.Entry.class));

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
  private transient boolean replayed;
  private transient ListState<Boolean> replayedState;
  private transient AwaitingRegistry awaiting;
  private transient MapState<String, ShardState> perTarget;
  private transient MapState<String, HeldDocument> heldState;
  private transient HeldDocuments held;
  private transient MapState<String, Long> acceptedCounts;
  private transient ListState<FractionSketches.Entry> sketchState;
  private transient InstanceSketches sketches;
  private transient PublishTimer topKTimer;
  private transient Map<String, CachedProfile> profiles;
  private transient TargetMetrics metrics;

  private record CachedProfile(int version, TargetProfile profile) {}

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
    perTarget = getRuntimeContext().getMapState(PER_TARGET);
    heldState = getRuntimeContext().getMapState(HELD);
    held = new HeldDocuments(heldState);
    acceptedCounts = getRuntimeContext().getMapState(ACCEPTED);
    topKTimer =
        new PublishTimer(
            getRuntimeContext().getState(new ValueStateDescriptor<>("next-top-k", Long.class)),
            topKIntervalMillis);
    profiles = new HashMap<>();
    metrics = new TargetMetrics(getRuntimeContext().getMetricGroup());
    awaiting = new AwaitingRegistry(getRuntimeContext().getListState(AwaitingRegistry.STATE));
    getRuntimeContext().getMetricGroup().gauge("awaitingRegistry", () -> awaiting.count());
  }

  @Override
  public void processBroadcastElement(
      TargetUpdate update, Context ctx, Collector<SelectedDocument> out) throws Exception {
    if (update instanceof TargetUpdate.EndOfReplay) {
      replayed = true; // the shards' timers release what waited
      return;
    }
    String name = update.name();
    if (update instanceof TargetUpdate.Removal) {
      ctx.getBroadcastState(TARGETS).remove(name);
      profiles.remove(name);
      ctx.applyToKeyedState(PER_TARGET, (shard, state) -> state.remove(name));
      ctx.applyToKeyedState(HELD, (shard, state) -> HeldDocuments.drop(state, name));
      ctx.applyToKeyedState(ACCEPTED, (shard, state) -> state.remove(name));
      sketches.remove(name);
      return;
    }
    TargetDefinition def = ((TargetUpdate.Upsert) update).target();
    if (!def.modelFingerprint().equals(modelFingerprint)) {
      ctx.output(
          DeadLetters.TAG,
          DeadLetters.of(
              DeadLetterReason.INVALID_COMMAND,
              "target "
                  + def.name()
                  + " was made with model "
                  + def.modelFingerprint()
                  + ", the job extracts with "
                  + modelFingerprint,
              null,
              null,
              Instant.ofEpochMilli(ctx.currentProcessingTime())));
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
    if (!replayed) {
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
    String id = doc.document().getId();
    for (Map.Entry<String, TargetDefinition> entry :
        ctx.getBroadcastState(TARGETS).immutableEntries()) {
      TargetDefinition def = entry.getValue();
      if (def.paused()) {
        continue;
      }
      TargetProfile profile = profile(def);
      NagFeature feature = NagFeature.of(id, def.numLayers(), def.featureK(), 0, doc.feature());
      FractionPolicy.Scored scored =
          new FractionPolicy.Scored(id, Similarity.similarity(feature, profile), doc.tokens());
      ShardSelection shard = load(def);
      ShardSelection.Result result;
      Map<String, HeldDocument> warmUp = new HashMap<>();
      FractionState fraction = null;
      if (def.policy() == TargetDefinition.Policy.THRESHOLD) {
        result = shard.offer(scored, doc.document().getUrl(), def.policyValue());
      } else {
        fraction = sketches.policy(def.name(), def.version(), def.policyValue());
        result =
            shard.offer(
                scored,
                doc.document().getUrl(),
                fraction,
                holdSigmas,
                this.warmUp,
                () -> takeHeld(def.name(), warmUp));
      }
      for (FractionPolicy.Scored a : result.accepted()) {
        ExtractedDocument accepted = extracted(a, doc, warmUp);
        out.collect(
            SelectedRecords.of(accepted, def, profile, a.similarity(), result.threshold(), now));
      }
      if (fraction != null) {
        vote(def, result, ctx);
        for (FractionPolicy.Scored u : result.undecided()) {
          ExtractedDocument undecided = extracted(u, doc, warmUp);
          SelectedDocument selection =
              SelectedRecords.of(undecided, def, profile, u.similarity(), result.threshold(), now);
          ctx.output(
              FRACTION_VOTES,
              Either.Right(
                  new FractionCandidate(
                      def.name(),
                      def.version(),
                      def.policyValue(),
                      u.tokens(),
                      fraction.accepts(u.docId(), u.similarity()),
                      selection)));
        }
      }
      metrics.accepted(def.name(), result.accepted().size());
      metrics.threshold(def.name(), result.threshold());
      if (result.acceptedAny()) {
        acceptedCounts.put(def.name(), shard.accepted());
      }
      if (result.stateChanged() || shard.fresh()) {
        save(def, shard);
      }
    }
  }

  /** The document a decision is about: the one offered, or one its warm-up held. */
  private static ExtractedDocument extracted(
      FractionPolicy.Scored decided, ExtractedDocument offered, Map<String, HeldDocument> warmUp) {
    return decided.docId().equals(offered.document().getId())
        ? offered
        : warmUp.get(decided.docId()).extracted();
  }

  /** Tells the target's whole-stream rule what this shard decided. */
  private static void vote(
      TargetDefinition def, ShardSelection.Result result, ReadOnlyContext ctx) {
    result.accepted().forEach(d -> ctx.output(FRACTION_VOTES, vote(def, d, true)));
    result.rejected().forEach(d -> ctx.output(FRACTION_VOTES, vote(def, d, false)));
  }

  private static Either<FractionVote, FractionCandidate> vote(
      TargetDefinition def, FractionPolicy.Scored d, boolean accepted) {
    return Either.Left(
        new FractionVote(
            def.name(), def.version(), def.policyValue(), d.similarity(), d.tokens(), accepted));
  }

  /** Takes this shard's held documents of a target into {@code into}; the rule's view of them. */
  private List<FractionPolicy.Scored> takeHeld(String target, Map<String, HeldDocument> into) {
    try {
      into.putAll(held.take(target));
    } catch (Exception e) {
      throw new IllegalStateException("reading the warm-up of target " + target, e);
    }
    List<FractionPolicy.Scored> scored = new ArrayList<>(into.size());
    into.forEach((id, h) -> scored.add(new FractionPolicy.Scored(id, h.similarity(), h.tokens())));
    return scored;
  }

  @Override
  public void snapshotState(FunctionSnapshotContext context) throws Exception {
    sketchState.update(
        sketches.snapshot(getRuntimeContext().getTaskInfo().getIndexOfThisSubtask() == 0));
    replayedState.update(List.of(replayed));
  }

  @Override
  public void initializeState(FunctionInitializationContext context) throws Exception {
    sketchState = context.getOperatorStateStore().getUnionListState(SKETCHES);
    sketches =
        context.isRestored() ? InstanceSketches.restore(sketchState.get()) : new InstanceSketches();
    replayedState = context.getOperatorStateStore().getUnionListState(REPLAYED);
    List<Boolean> restored = new ArrayList<>();
    replayedState.get().forEach(restored::add);
    // a savepoint of a build without this state: that job had replayed long ago
    replayed = context.isRestored() ? restored.isEmpty() || restored.contains(true) : !awaitReplay;
  }

  /**
   * Two timers: the check whether documents that waited for the registry's replay may go, and the
   * publication of this shard's top-k of every target (the next waits for the next document).
   */
  @Override
  public void onTimer(long timestamp, OnTimerContext ctx, Collector<SelectedDocument> out)
      throws Exception {
    if (replayed) {
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
      ShardSelection shard = load(def);
      if (!shard.fresh()) {
        double inForce =
            def.policy() == TargetDefinition.Policy.THRESHOLD
                ? def.policyValue()
                : fractionThreshold(def);
        ctx.output(
            TOP_K,
            new ShardTopK(
                def.name(),
                def.version(),
                def.keepTopK(),
                ctx.getCurrentKey(),
                shard.topK().best().toArray(RunningTopK.Entry[]::new),
                shard.accepted(),
                inForce));
      }
    }
  }

  /** A fraction target's threshold in force on this instance: NaN while warming up. */
  private double fractionThreshold(TargetDefinition def) {
    FractionState fraction = sketches.policy(def.name(), def.version(), def.policyValue());
    return FractionRule.warm(fraction, warmUp) ? fraction.threshold() : Double.NaN;
  }

  private TargetProfile profile(TargetDefinition def) {
    CachedProfile cached = profiles.get(def.name());
    if (cached == null || cached.version() != def.version()) {
      cached = new CachedProfile(def.version(), def.profile());
      profiles.put(def.name(), cached);
    }
    return cached.profile();
  }

  /** This shard's state of the target's version; a fresh one (older state dropped) on a new one. */
  private ShardSelection load(TargetDefinition def) throws Exception {
    ShardState stored = perTarget.get(def.name());
    if (stored != null) {
      if (stored.version() == def.version()) {
        Long accepted = acceptedCounts.get(def.name());
        return ShardSelection.restore(
            stored.version(),
            stored.warmUpLeft(),
            stored.k(),
            List.of(stored.best()),
            accepted == null ? 0 : accepted);
      }
      held.drop(def.name()); // an older version's warm-up and count
      acceptedCounts.remove(def.name());
    }
    return ShardSelection.start(def.version(), def.keepTopK());
  }

  private void save(TargetDefinition def, ShardSelection shard) throws Exception {
    perTarget.put(
        def.name(),
        new ShardState(
            shard.version(),
            shard.warmUpLeft(),
            shard.topK().k(),
            shard.topK().best().toArray(RunningTopK.Entry[]::new)));
  }
}
