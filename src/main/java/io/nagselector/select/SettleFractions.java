package io.nagselector.select;

import io.nagselector.avro.SelectedDocument;
import io.nagselector.control.TargetUpdate;
import io.nagselector.nag.FractionPolicy;
import io.nagselector.nag.FractionRule;
import io.nagselector.nag.PendingDecisions;
import io.nagselector.nag.RunningTopK;
import io.nagselector.pipeline.FractionSketches;
import io.nagselector.pipeline.ShardTopK;
import io.nagselector.pipeline.TargetDefinition;
import io.nagselector.pipeline.UndecidedDocument;
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
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.runtime.state.KeyGroupRangeAssignment;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.functions.co.KeyedBroadcastProcessFunction;
import org.apache.flink.types.Either;
import org.apache.flink.util.Collector;

/**
 * Operator 5b, keyed by target: the fraction rule over a target's whole stream. Every shard's
 * decision feeds one quantile per target ({@link FractionVote}); the documents the shards left
 * undecided ({@link FractionCandidate}: near the cut, or all while their instance warms up) wait in
 * keyed state until that quantile has seen {@code warmUp} documents and its band excludes them, or
 * for {@code maxHold} at most ({@link PendingDecisions}). The quantiles are checkpointed as union
 * operator state, each instance restoring those of the targets it owns. It also counts what it
 * accepted into the target's published top-k, as shard -1.
 */
public final class SettleFractions
    extends KeyedBroadcastProcessFunction<
        String, Either<FractionVote, FractionCandidate>, TargetUpdate, SelectedDocument>
    implements CheckpointedFunction {
  /** The shard number this operator's counts are published under. */
  static final int SHARD = -1;

  static final MapStateDescriptor<String, UndecidedDocument> UNDECIDED =
      new MapStateDescriptor<>(
          "undecided", Types.STRING, TypeInformation.of(UndecidedDocument.class));
  static final MapStateDescriptor<String, SelectedDocument> UNDECIDED_SELECTIONS =
      new MapStateDescriptor<>(
          "undecided-selections", Types.STRING, TypeInformation.of(SelectedDocument.class));

  /** Documents this operator accepted for the target's current version. */
  static final ValueStateDescriptor<Long> ACCEPTED =
      new ValueStateDescriptor<>("accepted", Types.LONG);

  static final ValueStateDescriptor<Long> NEXT_PUBLISH =
      new ValueStateDescriptor<>("next-publish", Types.LONG);
  private static final ListStateDescriptor<FractionSketches.Entry> SKETCHES =
      new ListStateDescriptor<>(
          "whole-stream-sketches", TypeInformation.of(FractionSketches.Entry.class));

  private final double sigmas;
  private final int warmUp;
  private final long maxHoldMillis;
  private final long publishIntervalMillis;
  private transient MapState<String, UndecidedDocument> pending;
  private transient MapState<String, SelectedDocument> selections;
  private transient ValueState<Long> accepted;
  private transient ValueState<Long> nextPublish;
  private transient ListState<FractionSketches.Entry> sketchState;
  private transient Map<String, Target> targets;
  private transient TargetMetrics metrics;

  /** A target version's whole-stream quantile, and its effective size at the last full pass. */
  private static final class Target {
    final int version;
    final FractionPolicy policy;
    double passedAt;
    boolean warm;

    Target(int version, FractionPolicy policy) {
      this.version = version;
      this.policy = policy;
    }
  }

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
    pending = getRuntimeContext().getMapState(UNDECIDED);
    selections = getRuntimeContext().getMapState(UNDECIDED_SELECTIONS);
    accepted = getRuntimeContext().getState(ACCEPTED);
    nextPublish = getRuntimeContext().getState(NEXT_PUBLISH);
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
    Target t = target(name, version, fraction, ctx, out);
    if (t == null) { // a version that ended here: its shard decides
      if (!vote && in.right().shardAccepts()) {
        out.collect(in.right().selection());
      }
      return;
    }
    if (vote) {
      FractionVote v = in.left();
      t.policy.observe(v.similarity(), v.tokens());
      t.policy.decided(v.tokens(), v.accepted());
    } else {
      FractionCandidate c = in.right();
      String id = c.selection().getId();
      double similarity = c.selection().getSimilarity();
      t.policy.observe(similarity, c.tokens());
      pending.put(
          id, new UndecidedDocument(version, similarity, c.tokens(), now, c.shardAccepts()));
      selections.put(id, c.selection());
      long due = now + maxHoldMillis;
      ctx.timerService().registerProcessingTimeTimer(due - due % 1000 + 1000);
      PendingDecisions.Pending p = new PendingDecisions.Pending(id, similarity, c.tokens(), now);
      apply(
          name,
          PendingDecisions.settle(t.policy, sigmas, warmUp, List.of(p), now, maxHoldMillis),
          ctx,
          out);
    }
    boolean warmedUp = !t.warm && FractionRule.warm(t.policy, warmUp);
    if (warmedUp || PendingDecisions.passDue(t.policy.effectiveDocuments(), t.passedAt)) {
      t.warm = FractionRule.warm(t.policy, warmUp);
      pass(name, t, now, ctx, out);
    }
    metrics.acceptedShare(name, t.policy.acceptedShare());
  }

  /**
   * This target's whole-stream rule for {@code version}: a fresh one for a newer version (what the
   * older one left pending is decided by its threshold first); null for an older version.
   */
  private Target target(
      String name,
      int version,
      double fraction,
      ReadOnlyContext ctx,
      Collector<SelectedDocument> out)
      throws Exception {
    Target t = targets.get(name);
    if (t != null && version < t.version) {
      return null;
    }
    if (t == null || version > t.version) {
      if (t != null) {
        apply(
            name, PendingDecisions.settleAll(t.policy, pendingDocuments(t.version, out)), ctx, out);
      }
      accepted.clear();
      t = new Target(version, new FractionPolicy(fraction));
      targets.put(name, t);
    }
    return t;
  }

  /** Decides what the band now excludes, and what has waited long enough. */
  private void pass(
      String name, Target t, long now, ReadOnlyContext ctx, Collector<SelectedDocument> out)
      throws Exception {
    apply(
        name,
        PendingDecisions.settle(
            t.policy, sigmas, warmUp, pendingDocuments(t.version, out), now, maxHoldMillis),
        ctx,
        out);
    t.passedAt = t.policy.effectiveDocuments();
  }

  /**
   * The documents waiting for {@code version}. One of another version has no quantile here to
   * decide it (a version ends only after its documents are decided, so it would take a state that
   * lost its sketch): its shard's threshold decides it, as for one that arrives late.
   */
  private List<PendingDecisions.Pending> pendingDocuments(
      int version, Collector<SelectedDocument> out) throws Exception {
    List<PendingDecisions.Pending> all = new ArrayList<>();
    List<String> orphans = new ArrayList<>();
    for (Map.Entry<String, UndecidedDocument> e : pending.entries()) {
      UndecidedDocument d = e.getValue();
      if (d.version() == version) {
        all.add(new PendingDecisions.Pending(e.getKey(), d.similarity(), d.tokens(), d.heldAt()));
      } else {
        orphans.add(e.getKey());
        if (d.shardAccepts()) {
          out.collect(selections.get(e.getKey()));
        }
      }
    }
    for (String id : orphans) {
      pending.remove(id);
      selections.remove(id);
    }
    return all;
  }

  /** Publishes the accepted documents, forgets the decided ones. */
  private void apply(
      String name,
      PendingDecisions.Settled settled,
      ReadOnlyContext ctx,
      Collector<SelectedDocument> out)
      throws Exception {
    if (settled.isEmpty()) {
      return;
    }
    long now = ctx.timerService().currentProcessingTime();
    for (PendingDecisions.Pending p : settled.accepted()) {
      SelectedDocument selection = selections.get(p.docId());
      selection.setThreshold(settled.threshold());
      selection.setSelectedAt(Instant.ofEpochMilli(now));
      out.collect(selection);
    }
    for (List<PendingDecisions.Pending> decided : List.of(settled.accepted(), settled.rejected())) {
      for (PendingDecisions.Pending p : decided) {
        pending.remove(p.docId());
        selections.remove(p.docId());
      }
    }
    if (!settled.accepted().isEmpty()) {
      Long before = accepted.value();
      accepted.update((before == null ? 0 : before) + settled.accepted().size());
      metrics.accepted(name, settled.accepted().size());
      if (nextPublish.value() == null) {
        nextPublish.update(now + publishIntervalMillis);
        ctx.timerService().registerProcessingTimeTimer(now + publishIntervalMillis);
      }
    }
  }

  /** Decides what waited long enough; publishes the count accepted here when due. */
  @Override
  public void onTimer(long timestamp, OnTimerContext ctx, Collector<SelectedDocument> out)
      throws Exception {
    String name = ctx.getCurrentKey();
    Target t = targets.get(name);
    if (t == null) {
      return; // removed
    }
    pass(name, t, ctx.timerService().currentProcessingTime(), ctx, out);
    metrics.acceptedShare(name, t.policy.acceptedShare());
    Long next = nextPublish.value();
    TargetDefinition def = ctx.getBroadcastState(ScoreAndSelect.TARGETS).get(name);
    if (next != null && timestamp >= next && def != null) {
      nextPublish.clear();
      Long count = accepted.value();
      ctx.output(
          ScoreAndSelect.TOP_K,
          new ShardTopK(
              name,
              t.version,
              def.keepTopK(),
              SHARD,
              new RunningTopK.Entry[0],
              count == null ? 0 : count,
              Double.NaN));
    }
  }

  @Override
  public void processBroadcastElement(
      TargetUpdate update, Context ctx, Collector<SelectedDocument> out) throws Exception {
    if (update instanceof TargetUpdate.Upsert upsert) {
      ctx.getBroadcastState(ScoreAndSelect.TARGETS).put(upsert.name(), upsert.target());
    }
    if (!(update instanceof TargetUpdate.Removal)) {
      return;
    }
    String name = update.name();
    ctx.getBroadcastState(ScoreAndSelect.TARGETS).remove(name);
    targets.remove(name);
    ctx.applyToKeyedState(UNDECIDED, (key, state) -> clearIf(key, name, state));
    ctx.applyToKeyedState(UNDECIDED_SELECTIONS, (key, state) -> clearIf(key, name, state));
    for (ValueStateDescriptor<Long> d : List.of(ACCEPTED, NEXT_PUBLISH)) {
      ctx.applyToKeyedState(
          d,
          (key, state) -> {
            if (key.equals(name)) {
              state.clear();
            }
          });
    }
  }

  private static void clearIf(String key, String target, MapState<String, ?> state) {
    if (key.equals(target)) {
      state.clear();
    }
  }

  @Override
  public void snapshotState(FunctionSnapshotContext context) throws Exception {
    List<FractionSketches.Entry> entries = new ArrayList<>();
    targets.forEach((name, t) -> entries.add(FractionSketches.Entry.of(name, t.version, t.policy)));
    sketchState.update(entries);
  }

  /** Every instance reads every instance's entries, and keeps those of the targets it owns. */
  @Override
  public void initializeState(FunctionInitializationContext context) throws Exception {
    sketchState = context.getOperatorStateStore().getUnionListState(SKETCHES);
    targets = new HashMap<>();
    if (!context.isRestored()) {
      return;
    }
    int maxParallelism = getRuntimeContext().getTaskInfo().getMaxNumberOfParallelSubtasks();
    int parallelism = getRuntimeContext().getTaskInfo().getNumberOfParallelSubtasks();
    int index = getRuntimeContext().getTaskInfo().getIndexOfThisSubtask();
    for (FractionSketches.Entry e : sketchState.get()) {
      boolean owned =
          KeyGroupRangeAssignment.assignKeyToParallelOperator(
                  e.target(), maxParallelism, parallelism)
              == index;
      Target known = targets.get(e.target());
      if (owned && (known == null || e.version() > known.version)) {
        targets.put(e.target(), new Target(e.version(), e.policy()));
      }
    }
  }
}
