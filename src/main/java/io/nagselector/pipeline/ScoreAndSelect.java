package io.nagselector.pipeline;

import io.nagselector.avro.CrawlDocument;
import io.nagselector.avro.DeadLetterReason;
import io.nagselector.avro.SelectedDocument;
import io.nagselector.nag.FractionPolicy;
import io.nagselector.nag.FractionRule;
import io.nagselector.nag.FractionState;
import io.nagselector.nag.NagFeature;
import io.nagselector.nag.RunningTopK;
import io.nagselector.nag.Similarity;
import io.nagselector.nag.TargetProfile;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.functions.co.KeyedBroadcastProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Operator 5, keyed by a virtual shard of the doc id and connected to the broadcast targets: scores
 * each document against every active target and applies its policy (threshold, or the fraction rule
 * with a warm-up). Per shard and target, keyed state holds the running top-k and the warm-up's
 * documents; the fraction rule's running quantile is shared by all shards of a parallel instance
 * (operator state, see {@link FractionSketches}). A new target version starts afresh; a removed
 * target's state is dropped on every shard.
 */
public final class ScoreAndSelect
    extends KeyedBroadcastProcessFunction<
        Integer, ExtractedDocument, TargetDefinition, SelectedDocument>
    implements CheckpointedFunction {
  public static final MapStateDescriptor<String, TargetDefinition> TARGETS =
      new MapStateDescriptor<>("targets", Types.STRING, TypeInformation.of(TargetDefinition.class));
  static final MapStateDescriptor<String, ShardState> PER_TARGET =
      new MapStateDescriptor<>("per-target", Types.STRING, TypeInformation.of(ShardState.class));

  /** Warm-up documents, keyed by target name, NUL, doc id. */
  static final MapStateDescriptor<String, HeldDocument> HELD =
      new MapStateDescriptor<>("held", Types.STRING, TypeInformation.of(HeldDocument.class));

  /** Documents accepted by this shard for the target's current version (apart: written often). */
  static final MapStateDescriptor<String, Long> ACCEPTED =
      new MapStateDescriptor<>("accepted", Types.STRING, Types.LONG);

  private static final ListStateDescriptor<FractionSketches.Entry> SKETCHES =
      new ListStateDescriptor<>(
          "fraction-sketches", TypeInformation.of(FractionSketches.Entry.class));

  public static final OutputTag<ShardTopK> TOP_K = new OutputTag<>("top-k") {};

  private final String modelFingerprint;
  private final int warmUp;
  private final long topKIntervalMillis;
  private transient MapState<String, ShardState> perTarget;
  private transient MapState<String, HeldDocument> held;
  private transient MapState<String, Long> acceptedCounts;
  private transient ListState<FractionSketches.Entry> sketchState;
  private transient FractionSketches sketches;
  private transient ValueState<Long> nextSnapshot;
  private transient Map<String, CachedProfile> profiles;
  private transient Map<String, Counter> accepted;
  private transient Map<String, Double> thresholds;
  private transient Map<String, Double> shares;

  private record CachedProfile(int version, TargetProfile profile) {}

  public ScoreAndSelect(String modelFingerprint, int warmUp, Duration topKInterval) {
    this.modelFingerprint = modelFingerprint;
    this.warmUp = warmUp;
    this.topKIntervalMillis = topKInterval.toMillis();
  }

  /** The virtual shard a document belongs to. */
  public static int shard(String docId, int shards) {
    return Math.floorMod(docId.hashCode(), shards);
  }

  @Override
  public void open(OpenContext context) {
    perTarget = getRuntimeContext().getMapState(PER_TARGET);
    held = getRuntimeContext().getMapState(HELD);
    acceptedCounts = getRuntimeContext().getMapState(ACCEPTED);
    nextSnapshot =
        getRuntimeContext().getState(new ValueStateDescriptor<>("next-top-k", Long.class));
    profiles = new HashMap<>();
    accepted = new HashMap<>();
    thresholds = new ConcurrentHashMap<>();
    shares = new ConcurrentHashMap<>();
  }

  /** The target's acceptance counter; its metrics are registered the first time it is seen. */
  private Counter acceptedCounter(String target) {
    return accepted.computeIfAbsent(
        target,
        t -> {
          MetricGroup group = getRuntimeContext().getMetricGroup().addGroup("target", t);
          group.gauge("threshold", () -> thresholds.getOrDefault(t, Double.NaN));
          group.gauge("acceptedShare", () -> shares.getOrDefault(t, Double.NaN));
          return group.counter("accepted");
        });
  }

  @Override
  public void processBroadcastElement(
      TargetDefinition def, Context ctx, Collector<SelectedDocument> out) throws Exception {
    if (def.removed()) {
      ctx.getBroadcastState(TARGETS).remove(def.name());
      profiles.remove(def.name());
      ctx.applyToKeyedState(PER_TARGET, (shard, state) -> state.remove(def.name()));
      ctx.applyToKeyedState(HELD, (shard, state) -> removeHeld(state, def.name()));
      ctx.applyToKeyedState(ACCEPTED, (shard, state) -> state.remove(def.name()));
      sketches.remove(def.name());
      return;
    }
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
    if (nextSnapshot.value() == null) {
      nextSnapshot.update(now + topKIntervalMillis);
      ctx.timerService().registerProcessingTimeTimer(now + topKIntervalMillis);
    }
    for (Map.Entry<String, TargetDefinition> entry :
        ctx.getBroadcastState(TARGETS).immutableEntries()) {
      TargetDefinition def = entry.getValue();
      if (def.paused()) {
        continue;
      }
      TargetProfile profile = profile(def);
      String id = doc.document().getId();
      NagFeature feature = NagFeature.of(id, def.numLayers(), def.featureK(), 0, doc.feature());
      double sim = Similarity.similarity(feature, profile);
      Shard state = load(def);
      boolean changed =
          state.topK().offer(new RunningTopK.Entry(id, sim, doc.tokens(), doc.document().getUrl()));
      double inForce;
      long acceptedBefore = state.accepted;
      if (def.policy() == TargetDefinition.Policy.THRESHOLD) {
        inForce = def.policyValue();
        if (sim >= inForce) {
          emit(out, doc, def, sim, inForce, profile, now);
          state.accepted++;
        }
      } else {
        FractionState fraction = sketches.policy(def.name(), def.version(), def.policyValue());
        // the warm-up's documents, read only when this document completes it
        Map<String, HeldDocument> warmUp = state.warmUpLeft == 1 ? takeHeld(def.name()) : Map.of();
        FractionRule.Outcome outcome =
            FractionRule.offer(
                fraction,
                state.warmUpLeft,
                new FractionPolicy.Scored(id, sim, doc.tokens()),
                scored(warmUp));
        if (outcome instanceof FractionRule.Held) {
          holdForWarmUp(def.name(), sim, doc);
          state.warmUpLeft--;
          changed = true;
          inForce = Double.NaN;
        } else if (outcome instanceof FractionRule.WarmUpDecided decided) {
          state.warmUpLeft = 0;
          changed = true;
          for (FractionPolicy.Scored a : decided.accepted()) {
            ExtractedDocument accepted =
                a.docId().equals(id) ? doc : warmUp.get(a.docId()).extracted();
            emit(out, accepted, def, a.similarity(), decided.threshold(), profile, now);
            state.accepted++;
          }
          inForce = decided.threshold();
        } else {
          FractionRule.Decided decided = (FractionRule.Decided) outcome;
          inForce = decided.threshold();
          if (decided.accepted()) {
            emit(out, doc, def, sim, inForce, profile, now);
            state.accepted++;
          }
        }
        shares.put(def.name(), fraction.acceptedShare());
      }
      acceptedCounter(def.name());
      thresholds.put(def.name(), state.warmUpLeft > 0 ? Double.NaN : inForce);
      if (state.accepted != acceptedBefore) {
        acceptedCounts.put(def.name(), state.accepted);
      }
      if (changed || state.fresh) {
        save(def, state);
      }
    }
  }

  private void emit(
      Collector<SelectedDocument> out,
      ExtractedDocument doc,
      TargetDefinition def,
      double sim,
      Double threshold,
      TargetProfile profile,
      long now) {
    acceptedCounter(def.name()).inc();
    NagFeature feature =
        NagFeature.of(doc.document().getId(), def.numLayers(), def.featureK(), 0, doc.feature());
    out.collect(selected(doc.document(), doc.tokens(), def, sim, threshold, profile, feature, now));
  }

  /** The held warm-up documents as the rule sees them (none, on all but the last warm-up place). */
  private static List<FractionPolicy.Scored> scored(Map<String, HeldDocument> warmUp) {
    List<FractionPolicy.Scored> scored = new ArrayList<>(warmUp.size());
    warmUp.forEach(
        (id, h) -> scored.add(new FractionPolicy.Scored(id, h.similarity(), h.tokens())));
    return scored;
  }

  private void holdForWarmUp(String target, double sim, ExtractedDocument doc) throws Exception {
    held.put(
        heldKey(target, doc.document().getId()),
        new HeldDocument(sim, doc.tokens(), doc.document(), doc.feature()));
  }

  private static String heldKey(String target, String docId) {
    return target + '\u0000' + docId;
  }

  /** Removes and returns this shard's warm-up documents of a target, by doc id in order. */
  private Map<String, HeldDocument> takeHeld(String target) throws Exception {
    Map<String, HeldDocument> docs = new TreeMap<>();
    String prefix = heldKey(target, "");
    for (Map.Entry<String, HeldDocument> e : held.entries()) {
      if (e.getKey().startsWith(prefix)) {
        docs.put(e.getKey().substring(prefix.length()), e.getValue());
      }
    }
    for (String docId : docs.keySet()) {
      held.remove(heldKey(target, docId));
    }
    return docs;
  }

  private static void removeHeld(MapState<String, HeldDocument> state, String target)
      throws Exception {
    List<String> keys = new ArrayList<>();
    for (String key : state.keys()) {
      if (key.startsWith(heldKey(target, ""))) {
        keys.add(key);
      }
    }
    for (String key : keys) {
      state.remove(key);
    }
  }

  @Override
  public void snapshotState(FunctionSnapshotContext context) throws Exception {
    sketchState.update(
        sketches.snapshot(getRuntimeContext().getTaskInfo().getIndexOfThisSubtask() == 0));
  }

  @Override
  public void initializeState(FunctionInitializationContext context) throws Exception {
    sketchState = context.getOperatorStateStore().getUnionListState(SKETCHES);
    sketches =
        context.isRestored() ? FractionSketches.restore(sketchState.get()) : new FractionSketches();
  }

  /** Publishes this shard's top-k of every target, then waits for the next document. */
  @Override
  public void onTimer(long timestamp, OnTimerContext ctx, Collector<SelectedDocument> out)
      throws Exception {
    nextSnapshot.clear();
    for (Map.Entry<String, TargetDefinition> entry :
        ctx.getBroadcastState(TARGETS).immutableEntries()) {
      TargetDefinition def = entry.getValue();
      Shard state = load(def);
      if (!state.fresh) {
        double inForce =
            def.policy() == TargetDefinition.Policy.THRESHOLD
                ? def.policyValue()
                : state.warmUpLeft > 0
                    ? Double.NaN
                    : sketches.policy(def.name(), def.version(), def.policyValue()).threshold();
        ctx.output(
            TOP_K,
            new ShardTopK(
                def.name(),
                def.version(),
                def.keepTopK(),
                ctx.getCurrentKey(),
                state.topK.best().toArray(RunningTopK.Entry[]::new),
                state.accepted,
                inForce));
      }
    }
  }

  private TargetProfile profile(TargetDefinition def) {
    CachedProfile cached = profiles.get(def.name());
    if (cached == null || cached.version() != def.version()) {
      cached = new CachedProfile(def.version(), def.profile());
      profiles.put(def.name(), cached);
    }
    return cached.profile();
  }

  private static SelectedDocument selected(
      CrawlDocument d,
      int tokens,
      TargetDefinition def,
      double sim,
      Double threshold,
      TargetProfile profile,
      NagFeature feature,
      long now) {
    List<Double> contributions = new ArrayList<>();
    for (double c : Similarity.layerContributions(feature, profile)) {
      contributions.add(c);
    }
    return SelectedDocument.newBuilder()
        .setId(d.getId())
        .setUrl(d.getUrl())
        .setText(d.getText())
        .setSource(d.getSource())
        .setFetchTime(d.getFetchTime())
        .setTokens(tokens)
        .setTarget(def.name())
        .setTargetVersion(def.version())
        .setSimilarity(sim)
        .setThreshold(threshold)
        .setLayerContributions(contributions)
        .setModelFingerprint(def.modelFingerprint())
        .setSelectedAt(Instant.ofEpochMilli(now))
        .build();
  }

  /**
   * One shard's state for one target version: warm-up documents still to hold, its top-k, how many
   * it accepted; {@code fresh} when not stored yet.
   */
  private static final class Shard {
    final int version;
    final RunningTopK topK;
    final boolean fresh;
    int warmUpLeft;
    long accepted;

    Shard(int version, int warmUpLeft, RunningTopK topK, long accepted, boolean fresh) {
      this.version = version;
      this.warmUpLeft = warmUpLeft;
      this.topK = topK;
      this.accepted = accepted;
      this.fresh = fresh;
    }

    RunningTopK topK() {
      return topK;
    }
  }

  private Shard load(TargetDefinition def) throws Exception {
    ShardState stored = perTarget.get(def.name());
    if (stored != null) {
      if (stored.version() == def.version()) {
        Long accepted = acceptedCounts.get(def.name());
        return new Shard(
            stored.version(),
            stored.warmUpLeft(),
            RunningTopK.of(stored.k(), List.of(stored.best())),
            accepted == null ? 0 : accepted,
            false);
      }
      removeHeld(held, def.name()); // an older version's warm-up and count
      acceptedCounts.remove(def.name());
    }
    int warmUpLeft = def.policy() == TargetDefinition.Policy.FRACTION ? warmUp : 0;
    return new Shard(def.version(), warmUpLeft, new RunningTopK(def.keepTopK()), 0, true);
  }

  private void save(TargetDefinition def, Shard shard) throws Exception {
    perTarget.put(
        def.name(),
        new ShardState(
            shard.version,
            shard.warmUpLeft,
            shard.topK.k(),
            shard.topK.best().toArray(RunningTopK.Entry[]::new)));
  }
}
