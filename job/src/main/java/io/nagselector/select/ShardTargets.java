package io.nagselector.select;

import io.nagselector.nag.FractionPolicy;
import io.nagselector.nag.RunningTopK;
import io.nagselector.nag.ShardSelection;
import io.nagselector.pipeline.HeldDocument;
import io.nagselector.pipeline.ShardState;
import io.nagselector.pipeline.ShardTopK;
import io.nagselector.pipeline.TargetDefinition;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.DoubleSupplier;
import org.apache.flink.api.common.functions.RuntimeContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.functions.co.KeyedBroadcastProcessFunction;

/**
 * A shard's keyed state of every target, for {@link ScoreAndSelect}: its running top-k and warm-up
 * left ({@code per-target}), how many documents it accepted (apart: written often), and the warm-up
 * documents earlier builds held per shard ({@link HeldDocuments}).
 */
final class ShardTargets {
  private static final MapStateDescriptor<String, ShardState> PER_TARGET =
      new MapStateDescriptor<>("per-target", Types.STRING, TypeInformation.of(ShardState.class));
  private static final MapStateDescriptor<String, HeldDocument> HELD =
      new MapStateDescriptor<>("held", Types.STRING, TypeInformation.of(HeldDocument.class));
  private static final MapStateDescriptor<String, Long> ACCEPTED =
      new MapStateDescriptor<>("accepted", Types.STRING, Types.LONG);

  private final MapState<String, ShardState> perTarget;
  private final HeldDocuments held;
  private final MapState<String, Long> accepted;

  ShardTargets(RuntimeContext runtime) {
    perTarget = runtime.getMapState(PER_TARGET);
    held = new HeldDocuments(runtime.getMapState(HELD));
    accepted = runtime.getMapState(ACCEPTED);
  }

  /** This shard's selection of the target's version; a fresh one (older state dropped) if new. */
  ShardSelection load(TargetDefinition def) throws Exception {
    ShardState stored = perTarget.get(def.name());
    if (stored != null) {
      if (stored.version() == def.version()) {
        Long count = accepted.get(def.name());
        return ShardSelection.restore(
            stored.version(),
            stored.warmUpLeft(),
            stored.k(),
            List.of(stored.best()),
            count == null ? 0 : count);
      }
      held.drop(def.name()); // an older version's warm-up and count
      accepted.remove(def.name());
    }
    return ShardSelection.start(def.version(), def.keepTopK());
  }

  /** Keeps what an offer changed: the count if it accepted any, the rest if it changed. */
  void save(TargetDefinition def, ShardSelection shard, ShardSelection.Result result)
      throws Exception {
    if (result.acceptedAny()) {
      accepted.put(def.name(), shard.accepted());
    }
    if (result.stateChanged() || shard.fresh()) {
      perTarget.put(
          def.name(),
          new ShardState(
              shard.version(),
              shard.warmUpLeft(),
              shard.topK().k(),
              shard.topK().best().toArray(RunningTopK.Entry[]::new)));
    }
  }

  /** This shard's top-k of the target, for the merge; null while it has seen nothing. */
  ShardTopK topK(TargetDefinition def, int shard, DoubleSupplier inForce) throws Exception {
    ShardSelection selection = load(def);
    return selection.fresh()
        ? null
        : new ShardTopK(
            def.name(),
            def.version(),
            def.keepTopK(),
            shard,
            selection.topK().best().toArray(RunningTopK.Entry[]::new),
            selection.accepted(),
            inForce.getAsDouble());
  }

  /** Takes this shard's held documents of a target into {@code into}; the rule's view of them. */
  List<FractionPolicy.Scored> takeHeld(String target, Map<String, HeldDocument> into) {
    try {
      into.putAll(held.take(target));
    } catch (Exception e) {
      throw new IllegalStateException("reading the warm-up of target " + target, e);
    }
    List<FractionPolicy.Scored> scored = new ArrayList<>(into.size());
    into.forEach((id, h) -> scored.add(new FractionPolicy.Scored(id, h.similarity(), h.tokens())));
    return scored;
  }

  /** Drops a removed target's state on every shard of this instance. */
  static void remove(KeyedBroadcastProcessFunction<Integer, ?, ?, ?>.Context ctx, String name)
      throws Exception {
    ctx.applyToKeyedState(PER_TARGET, (shard, state) -> state.remove(name));
    ctx.applyToKeyedState(HELD, (shard, state) -> HeldDocuments.drop(state, name));
    ctx.applyToKeyedState(ACCEPTED, (shard, state) -> state.remove(name));
  }
}
