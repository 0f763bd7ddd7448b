package io.nagselector.select;

import io.nagselector.nag.FractionPolicy;
import io.nagselector.nag.PendingDecisions;
import io.nagselector.pipeline.FractionSketches;
import io.nagselector.pipeline.SketchUpdate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.TaskInfo;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.State;
import org.apache.flink.api.common.state.StateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.KeyGroupRangeAssignment;

/**
 * The fraction targets' whole-stream quantiles, in the keyed state of the current key (a target):
 * the sketch as last written, and the updates since, folded into it every {@value #FOLD_EVERY}. A
 * sketch is about 24 KB once it has seen a large stream: writing it for every vote would cost more
 * than the vote. Between elements each is cached on the heap, every change written through.
 */
final class WholeStreamSketches {
  static final int FOLD_EVERY = 1024;

  private static final ValueStateDescriptor<FractionSketches.Entry> SKETCH =
      new ValueStateDescriptor<>(
          "whole-stream-sketch", TypeInformation.of(FractionSketches.Entry.class));
  private static final ListStateDescriptor<SketchUpdate> UPDATES =
      new ListStateDescriptor<>("whole-stream-updates", TypeInformation.of(SketchUpdate.class));

  /** The keyed state a removed target's quantile leaves. */
  static final List<StateDescriptor<? extends State, ?>> KEYED = List.of(SKETCH, UPDATES);

  /**
   * Where earlier builds (savepoint fixtures v5 to v8) kept the sketches: every instance's, as
   * union operator state. Read on restore; each moves to its target's keyed state the first time
   * that target is seen, and until then is written back at every snapshot.
   */
  private static final ListStateDescriptor<FractionSketches.Entry> UNION =
      new ListStateDescriptor<>(
          "whole-stream-sketches", TypeInformation.of(FractionSketches.Entry.class));

  private final ValueState<FractionSketches.Entry> sketch;
  private final ListState<SketchUpdate> updates;
  private final ListState<FractionSketches.Entry> union;
  private final Map<String, Target> cache = new HashMap<>();
  private final Map<String, FractionSketches.Entry> unmigrated = new HashMap<>();

  /** A target version's quantile, its updates since it was written, and its last full pass. */
  static final class Target {
    final int version;
    final FractionPolicy policy;
    int unwritten;
    double passedAt;
    boolean warm;

    private Target(int version, FractionPolicy policy) {
      this.version = version;
      this.policy = policy;
    }
  }

  /** Opens the state; on a restore, keeps the union entries of the targets {@code task} owns. */
  WholeStreamSketches(FunctionInitializationContext context, TaskInfo task) throws Exception {
    sketch = context.getKeyedStateStore().getState(SKETCH);
    updates = context.getKeyedStateStore().getListState(UPDATES);
    union = context.getOperatorStateStore().getUnionListState(UNION);
    if (!context.isRestored()) {
      return;
    }
    for (FractionSketches.Entry e : union.get()) {
      boolean owned =
          KeyGroupRangeAssignment.assignKeyToParallelOperator(
                  e.target(),
                  task.getMaxNumberOfParallelSubtasks(),
                  task.getNumberOfParallelSubtasks())
              == task.getIndexOfThisSubtask();
      FractionSketches.Entry known = unmigrated.get(e.target());
      if (owned && (known == null || e.version() > known.version())) {
        unmigrated.put(e.target(), e);
      }
    }
  }

  /**
   * The target's quantile: cached, or from keyed state, or (once) an earlier build's union entry.
   */
  Target get(String name) throws Exception {
    Target t = cache.get(name);
    if (t != null) {
      return t;
    }
    FractionSketches.Entry stored = sketch.value();
    if (stored == null) {
      stored = unmigrated.remove(name);
      if (stored != null) {
        sketch.update(stored);
      }
    }
    if (stored == null) {
      return null;
    }
    t = new Target(stored.version(), stored.policy());
    for (SketchUpdate u : updates.get()) {
      replay(t.policy, u);
      t.unwritten++;
    }
    cache.put(name, t);
    return t;
  }

  /** A fresh quantile for a new version of the target. */
  Target start(String name, int version, double fraction) throws Exception {
    Target t = new Target(version, new FractionPolicy(fraction));
    sketch.update(FractionSketches.Entry.of(name, version, t.policy));
    updates.clear();
    cache.put(name, t);
    return t;
  }

  /** A shard's decision, or a document it left undecided ({@code accepted} null). */
  void observe(String name, Target t, double similarity, long tokens, Boolean accepted)
      throws Exception {
    t.policy.observe(similarity, tokens);
    if (accepted != null) {
      t.policy.decided(tokens, accepted);
    }
    log(name, t, new SketchUpdate(similarity, accepted, tokens));
  }

  /** Records what {@link PendingDecisions#settle} decided: it counted the decisions already. */
  void decided(String name, Target t, PendingDecisions.Settled settled) throws Exception {
    for (PendingDecisions.Pending p : settled.accepted()) {
      log(name, t, new SketchUpdate(null, true, p.tokens()));
    }
    for (PendingDecisions.Pending p : settled.rejected()) {
      log(name, t, new SketchUpdate(null, false, p.tokens()));
    }
  }

  private void log(String name, Target t, SketchUpdate update) throws Exception {
    if (++t.unwritten < FOLD_EVERY) {
      updates.add(update);
      return;
    }
    sketch.update(FractionSketches.Entry.of(name, t.version, t.policy));
    updates.clear();
    t.unwritten = 0;
  }

  private static void replay(FractionPolicy policy, SketchUpdate u) {
    if (u.observed() != null) {
      policy.observe(u.observed(), u.tokens());
    }
    if (u.accepted() != null) {
      policy.decided(u.tokens(), u.accepted());
    }
  }

  /** Forgets the heap's copy; the caller clears the keyed state. */
  void removed(String name) {
    cache.remove(name);
    unmigrated.remove(name);
  }

  /** Writes back the union entries no target has taken yet (none, once all have been seen). */
  void snapshot() throws Exception {
    union.update(new ArrayList<>(unmigrated.values()));
  }
}
