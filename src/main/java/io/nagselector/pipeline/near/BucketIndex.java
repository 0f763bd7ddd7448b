package io.nagselector.pipeline.near;

import io.nagselector.pipeline.ExpiringState;
import io.nagselector.pipeline.order.InTimestampOrder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Keyed by LSH bucket: remembers the key of the first text that fell in it, for the TTL. A later
 * text asks the signature store for that first text's signature; the first text itself answers
 * "first here" straight to the decision. "First" is in {@link
 * io.nagselector.pipeline.order.StreamOrder}: the probes of a bucket that has no first text yet
 * wait until the watermark passes their timestamp ({@link InTimestampOrder}), so two copies racing
 * through different subtasks reach the bucket in the stream's order; a probe too late for that is
 * taken as it comes ({@code nearProbesOutOfOrder}).
 */
public final class BucketIndex extends KeyedProcessFunction<Long, BandProbe, SignatureLookup> {
  static final OutputTag<BandAnswer> FIRST_HERE = new OutputTag<>("near-first-here") {};
  static final MapStateDescriptor<Long, List<BandProbe>> WAITING =
      InTimestampOrder.descriptor("waiting", TypeInformation.of(BandProbe.class));
  private static final Comparator<BandProbe> WITHIN_TIMESTAMP =
      Comparator.comparingLong(BandProbe::sequence).thenComparingLong(BandProbe::key);

  private final Duration ttl;
  private transient ValueState<Long> first;
  private transient InTimestampOrder<BandProbe> waiting;
  private transient Counter outOfOrder;

  public BucketIndex(Duration ttl) {
    this.ttl = ttl;
  }

  @Override
  public void open(OpenContext context) {
    ValueStateDescriptor<Long> descriptor = new ValueStateDescriptor<>("first", Types.LONG);
    descriptor.enableTimeToLive(ExpiringState.after(ttl));
    first = getRuntimeContext().getState(descriptor);
    waiting = new InTimestampOrder<>(getRuntimeContext().getMapState(WAITING));
    outOfOrder = getRuntimeContext().getMetricGroup().counter("nearProbesOutOfOrder");
  }

  @Override
  public void processElement(BandProbe probe, Context ctx, Collector<SignatureLookup> out)
      throws Exception {
    Long firstKey = first.value();
    if (!InTimestampOrder.inOrder(ctx.timestamp(), ctx.timerService())) {
      outOfOrder.inc();
      place(probe, firstKey, ctx, out);
    } else if (firstKey != null) {
      place(probe, firstKey, ctx, out); // the watermark has passed the first text: it came first
    } else {
      waiting.hold(ctx.timestamp(), probe, ctx.timerService());
    }
  }

  @Override
  public void onTimer(long timestamp, OnTimerContext ctx, Collector<SignatureLookup> out)
      throws Exception {
    List<BandProbe> due = new ArrayList<>(waiting.release(timestamp));
    due.sort(WITHIN_TIMESTAMP);
    Long firstKey = first.value();
    for (BandProbe probe : due) {
      firstKey = place(probe, firstKey, ctx, out);
    }
  }

  /** Places a probe in the bucket whose first text is {@code firstKey}; the first text after. */
  private Long place(BandProbe probe, Long firstKey, Context ctx, Collector<SignatureLookup> out)
      throws Exception {
    if (firstKey == null) {
      first.update(probe.key());
      ctx.output(FIRST_HERE, new BandAnswer(probe.key(), null));
      return probe.key();
    }
    if (firstKey == probe.key()) {
      // the same text again (the exact dedupe forgot it sooner): it was first here
      ctx.output(FIRST_HERE, new BandAnswer(probe.key(), null));
    } else {
      out.collect(new SignatureLookup(firstKey, probe.key()));
    }
    return firstKey;
  }
}
