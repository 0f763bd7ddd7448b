package io.nagselector.pipeline;

import io.nagselector.avro.CrawlDocument;
import io.nagselector.avro.DeadLetterReason;
import io.nagselector.avro.SelectedDocument;
import io.nagselector.nag.FractionPolicy;
import io.nagselector.nag.NagFeature;
import io.nagselector.nag.RunningTopK;
import io.nagselector.nag.Similarity;
import io.nagselector.nag.TargetProfile;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.functions.co.KeyedBroadcastProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Operator 5, keyed by a virtual shard of the doc id and connected to the broadcast targets: scores
 * each document against every active target and applies its policy (threshold, or the fraction rule
 * with a warm-up), keeping per target the policy state and a running top-k in keyed state. A new
 * target version starts afresh; a removed target's state is dropped on every shard.
 */
public final class ScoreAndSelect
    extends KeyedBroadcastProcessFunction<
        Integer, ExtractedDocument, TargetDefinition, SelectedDocument> {
  public static final MapStateDescriptor<String, TargetDefinition> TARGETS =
      new MapStateDescriptor<>("targets", Types.STRING, Types.GENERIC(TargetDefinition.class));
  static final MapStateDescriptor<String, byte[]> PER_TARGET =
      new MapStateDescriptor<>(
          "per-target", Types.STRING, PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO);

  public static final org.apache.flink.util.OutputTag<ShardTopK> TOP_K =
      new org.apache.flink.util.OutputTag<>("top-k") {};

  private final String modelFingerprint;
  private final int warmUp;
  private final long topKIntervalMillis;
  private transient MapState<String, byte[]> perTarget;
  private transient org.apache.flink.api.common.state.ValueState<Long> nextSnapshot;
  private transient Map<String, CachedProfile> profiles;
  private transient Map<String, org.apache.flink.metrics.Counter> accepted;
  private transient Map<String, Double> thresholds;

  private record CachedProfile(int version, TargetProfile profile) {}

  public ScoreAndSelect(String modelFingerprint, int warmUp, java.time.Duration topKInterval) {
    this.modelFingerprint = modelFingerprint;
    this.warmUp = warmUp;
    this.topKIntervalMillis = topKInterval.toMillis();
  }

  /** The virtual shard a document belongs to. */
  public static int shard(String docId, int shards) {
    return Math.floorMod(docId.hashCode(), shards);
  }

  @Override
  public void open(org.apache.flink.api.common.functions.OpenContext context) {
    perTarget = getRuntimeContext().getMapState(PER_TARGET);
    nextSnapshot =
        getRuntimeContext()
            .getState(
                new org.apache.flink.api.common.state.ValueStateDescriptor<>(
                    "next-top-k", Long.class));
    profiles = new HashMap<>();
    accepted = new HashMap<>();
    thresholds = new java.util.concurrent.ConcurrentHashMap<>();
  }

  /** The target's acceptance counter; its metrics are registered the first time it is seen. */
  private org.apache.flink.metrics.Counter acceptedCounter(String target) {
    return accepted.computeIfAbsent(
        target,
        t -> {
          org.apache.flink.metrics.MetricGroup group =
              getRuntimeContext().getMetricGroup().addGroup("target", t);
          group.gauge("threshold", () -> thresholds.getOrDefault(t, Double.NaN));
          return group.counter("accepted");
        });
  }

  @Override
  public void processBroadcastElement(
      TargetDefinition def, Context ctx, Collector<SelectedDocument> out) throws Exception {
    if (def.examples().isEmpty()) {
      ctx.getBroadcastState(TARGETS).remove(def.name());
      profiles.remove(def.name());
      ctx.applyToKeyedState(PER_TARGET, (shard, state) -> state.remove(def.name()));
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
      TargetProfile profile = profile(def);
      NagFeature feature =
          NagFeature.of(doc.document().getId(), def.numLayers(), def.featureK(), 0, doc.feature());
      double sim = Similarity.similarity(feature, profile);
      Shard state = load(def);
      state.topK.offer(
          new RunningTopK.Entry(
              doc.document().getId(), sim, doc.tokens(), doc.document().getUrl()));
      if (def.policy() == TargetDefinition.Policy.THRESHOLD) {
        if (sim >= def.policyValue()) {
          acceptedCounter(def.name()).inc();
          out.collect(
              selected(
                  doc.document(),
                  doc.tokens(),
                  def,
                  sim,
                  def.policyValue(),
                  profile,
                  feature,
                  now));
        }
      } else {
        Double threshold = state.policy.warmingUp() ? null : state.policy.threshold();
        List<FractionPolicy.Scored> accepted =
            state.policy.offer(
                new FractionPolicy.Scored(doc.document().getId(), sim, doc.tokens(), encode(doc)));
        for (FractionPolicy.Scored a : accepted) {
          acceptedCounter(def.name()).inc();
          ExtractedDocument held = decode(a.payload());
          NagFeature heldFeature =
              NagFeature.of(
                  held.document().getId(), def.numLayers(), def.featureK(), 0, held.feature());
          out.collect(
              selected(
                  held.document(),
                  held.tokens(),
                  def,
                  a.similarity(),
                  threshold,
                  profile,
                  heldFeature,
                  now));
        }
      }
      acceptedCounter(def.name());
      double inForce =
          def.policy() == TargetDefinition.Policy.THRESHOLD
              ? def.policyValue()
              : state.policy().warmingUp() ? Double.NaN : state.policy().threshold();
      thresholds.put(def.name(), inForce);
      save(def, state);
    }
  }

  /** Publishes this shard's top-k of every target, then waits for the next document. */
  @Override
  public void onTimer(long timestamp, OnTimerContext ctx, Collector<SelectedDocument> out)
      throws Exception {
    nextSnapshot.clear();
    for (Map.Entry<String, TargetDefinition> entry :
        ctx.getBroadcastState(TARGETS).immutableEntries()) {
      TargetDefinition def = entry.getValue();
      byte[] bytes = perTarget.get(def.name());
      if (bytes == null) {
        continue;
      }
      Shard state = load(def);
      if (state.version() == def.version()) {
        ctx.output(
            TOP_K,
            new ShardTopK(def.name(), def.version(), ctx.getCurrentKey(), state.topK().best()));
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

  /** One shard's state for one target version. */
  private record Shard(int version, FractionPolicy policy, RunningTopK topK) {}

  private Shard load(TargetDefinition def) throws Exception {
    byte[] bytes = perTarget.get(def.name());
    if (bytes != null) {
      DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes));
      int version = in.readInt();
      if (version == def.version()) {
        return new Shard(version, FractionPolicy.read(in), RunningTopK.read(in));
      }
    }
    double fraction = def.policy() == TargetDefinition.Policy.FRACTION ? def.policyValue() : 1.0;
    return new Shard(
        def.version(), new FractionPolicy(fraction, warmUp), new RunningTopK(def.keepTopK()));
  }

  private void save(TargetDefinition def, Shard shard) throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    DataOutputStream out = new DataOutputStream(bytes);
    out.writeInt(shard.version());
    shard.policy().write(out);
    shard.topK().write(out);
    perTarget.put(def.name(), bytes.toByteArray());
  }

  private static byte[] encode(ExtractedDocument doc) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    DataOutputStream out = new DataOutputStream(bytes);
    ByteBuffer avro = CrawlDocument.getEncoder().encode(doc.document());
    out.writeInt(avro.remaining());
    out.write(avro.array(), avro.arrayOffset() + avro.position(), avro.remaining());
    out.writeInt(doc.tokens());
    out.writeInt(doc.feature().length);
    for (int v : doc.feature()) {
      out.writeInt(v);
    }
    return bytes.toByteArray();
  }

  private static ExtractedDocument decode(byte[] payload) throws IOException {
    DataInputStream in = new DataInputStream(new ByteArrayInputStream(payload));
    byte[] avro = new byte[in.readInt()];
    in.readFully(avro);
    int tokens = in.readInt();
    int[] feature = new int[in.readInt()];
    for (int i = 0; i < feature.length; i++) {
      feature[i] = in.readInt();
    }
    return new ExtractedDocument(CrawlDocument.getDecoder().decode(avro), feature, tokens, null);
  }
}
