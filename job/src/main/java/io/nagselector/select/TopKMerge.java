package io.nagselector.select;

import io.nagselector.avro.TopKEntry;
import io.nagselector.avro.TopKSnapshot;
import io.nagselector.nag.RunningTopK;
import io.nagselector.pipeline.SettledCount;
import io.nagselector.pipeline.ShardTopK;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.typeutils.EitherTypeInfo;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.types.Either;
import org.apache.flink.util.Collector;

/**
 * Operator 6, keyed by target: keeps the latest top-k of every shard, and the count the
 * whole-stream rule accepted, of the newest target version, and publishes their merge: the target's
 * global top-k of the target's own k.
 */
public final class TopKMerge
    extends KeyedProcessFunction<String, Either<ShardTopK, SettledCount>, TopKSnapshot> {
  public static final TypeInformation<Either<ShardTopK, SettledCount>> INPUT =
      new EitherTypeInfo<>(
          TypeInformation.of(ShardTopK.class), TypeInformation.of(SettledCount.class));

  /** Where earlier builds (savepoint fixtures v1 to v8) kept the settled count: as shard -1. */
  private static final int SETTLED_UP_TO_V8 = -1;

  private transient MapState<Integer, ShardTopK> shards;
  private transient ValueState<SettledCount> settled;

  public static String target(Either<ShardTopK, SettledCount> update) {
    return update.isLeft() ? update.left().target() : update.right().target();
  }

  @Override
  public void open(OpenContext context) {
    shards =
        getRuntimeContext()
            .getMapState(
                new MapStateDescriptor<>("shards", Types.INT, TypeInformation.of(ShardTopK.class)));
    settled =
        getRuntimeContext()
            .getState(
                new ValueStateDescriptor<>(
                    "settled-count", TypeInformation.of(SettledCount.class)));
  }

  @Override
  public void processElement(
      Either<ShardTopK, SettledCount> update, Context ctx, Collector<TopKSnapshot> out)
      throws Exception {
    String target = ctx.getCurrentKey();
    migrateSettledCount(target);
    int version = update.isLeft() ? update.left().version() : update.right().version();
    if (!dropOlderThan(version)) {
      return; // an older version's late update
    }
    if (update.isLeft()) {
      shards.put(update.left().shard(), update.left());
    } else {
      settled.update(update.right());
    }
    List<List<RunningTopK.Entry>> current = new ArrayList<>();
    SettledCount count = settled.value();
    long accepted = count == null ? 0 : count.accepted();
    double threshold = Double.NaN;
    int k = 0;
    for (ShardTopK s : shards.values()) {
      current.add(List.of(s.entries()));
      accepted += s.accepted();
      k = s.k();
      if (!Double.isNaN(s.threshold())) {
        threshold = Double.isNaN(threshold) ? s.threshold() : Math.max(threshold, s.threshold());
      }
    }
    List<TopKEntry> entries = new ArrayList<>();
    if (!current.isEmpty()) { // none before the shards' first top-k: only the settled count
      for (RunningTopK.Entry e : RunningTopK.merge(k, current)) {
        entries.add(new TopKEntry(e.docId(), e.similarity(), e.tokens(), e.url()));
      }
    }
    out.collect(
        TopKSnapshot.newBuilder()
            .setTarget(target)
            .setTargetVersion(version)
            .setEntries(entries)
            .setAccepted(accepted)
            .setThreshold(Double.isNaN(threshold) ? null : threshold)
            .setPublishedAt(Instant.ofEpochMilli(ctx.timerService().currentProcessingTime()))
            .build());
  }

  /** Forgets what is older than {@code version}; false if something newer is known. */
  private boolean dropOlderThan(int version) throws Exception {
    List<Integer> stale = new ArrayList<>();
    for (Map.Entry<Integer, ShardTopK> e : shards.entries()) {
      if (e.getValue().version() > version) {
        return false;
      }
      if (e.getValue().version() < version) {
        stale.add(e.getKey());
      }
    }
    SettledCount count = settled.value();
    if (count != null && count.version() > version) {
      return false;
    }
    if (count != null && count.version() < version) {
      settled.clear();
    }
    for (Integer shard : stale) {
      shards.remove(shard);
    }
    return true;
  }

  private void migrateSettledCount(String target) throws Exception {
    ShardTopK legacy = shards.get(SETTLED_UP_TO_V8);
    if (legacy != null) {
      shards.remove(SETTLED_UP_TO_V8);
      settled.update(new SettledCount(target, legacy.version(), legacy.accepted()));
    }
  }
}
