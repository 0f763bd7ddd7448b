package io.nagselector.select;

import io.nagselector.avro.TopKEntry;
import io.nagselector.avro.TopKSnapshot;
import io.nagselector.nag.RunningTopK;
import io.nagselector.pipeline.ShardTopK;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Operator 6, keyed by target: keeps the latest top-k of every shard (of the newest target version)
 * and publishes their merge, the target's global top-k of the target's own k.
 */
public final class TopKMerge extends KeyedProcessFunction<String, ShardTopK, TopKSnapshot> {
  private transient MapState<Integer, ShardTopK> shards;

  @Override
  public void open(OpenContext context) {
    shards =
        getRuntimeContext()
            .getMapState(
                new MapStateDescriptor<>("shards", Types.INT, TypeInformation.of(ShardTopK.class)));
  }

  @Override
  public void processElement(ShardTopK update, Context ctx, Collector<TopKSnapshot> out)
      throws Exception {
    List<List<RunningTopK.Entry>> current = new ArrayList<>();
    List<Integer> stale = new ArrayList<>();
    for (Map.Entry<Integer, ShardTopK> e : shards.entries()) {
      if (e.getValue().version() < update.version()) {
        stale.add(e.getKey());
      } else if (e.getValue().version() > update.version()) {
        return; // an older version's late snapshot
      }
    }
    for (Integer shard : stale) {
      shards.remove(shard);
    }
    shards.put(update.shard(), update);
    for (ShardTopK s : shards.values()) {
      current.add(List.of(s.entries()));
    }
    long accepted = 0;
    double threshold = Double.NaN;
    for (ShardTopK s : shards.values()) {
      accepted += s.accepted();
      if (!Double.isNaN(s.threshold())) {
        threshold = Double.isNaN(threshold) ? s.threshold() : Math.max(threshold, s.threshold());
      }
    }
    List<TopKEntry> entries = new ArrayList<>();
    for (RunningTopK.Entry e : RunningTopK.merge(update.k(), current)) {
      entries.add(new TopKEntry(e.docId(), e.similarity(), e.tokens(), e.url()));
    }
    out.collect(
        TopKSnapshot.newBuilder()
            .setTarget(update.target())
            .setTargetVersion(update.version())
            .setEntries(entries)
            .setAccepted(accepted)
            .setThreshold(Double.isNaN(threshold) ? null : threshold)
            .setPublishedAt(Instant.ofEpochMilli(ctx.timerService().currentProcessingTime()))
            .build());
  }
}
