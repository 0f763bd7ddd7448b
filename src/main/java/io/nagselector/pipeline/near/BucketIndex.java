package io.nagselector.pipeline.near;

import io.nagselector.pipeline.ExpiringState;
import java.time.Duration;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Keyed by LSH bucket: remembers the key of the first text that fell in it, for the TTL. A later
 * text asks the signature store for that first text's signature; the first text itself answers
 * "first here" straight to the decision.
 */
public final class BucketIndex extends KeyedProcessFunction<Long, BandProbe, SignatureLookup> {
  static final OutputTag<BandAnswer> FIRST_HERE = new OutputTag<>("near-first-here") {};

  private final Duration ttl;
  private transient ValueState<Long> first;

  public BucketIndex(Duration ttl) {
    this.ttl = ttl;
  }

  @Override
  public void open(OpenContext context) {
    ValueStateDescriptor<Long> descriptor = new ValueStateDescriptor<>("first", Types.LONG);
    descriptor.enableTimeToLive(ExpiringState.after(ttl));
    first = getRuntimeContext().getState(descriptor);
  }

  @Override
  public void processElement(BandProbe probe, Context ctx, Collector<SignatureLookup> out)
      throws Exception {
    Long firstKey = first.value();
    if (firstKey == null) {
      first.update(probe.key());
      ctx.output(FIRST_HERE, new BandAnswer(probe.key(), null));
    } else if (firstKey == probe.key()) {
      // the same text again (the exact dedupe forgot it sooner): it was first here
      ctx.output(FIRST_HERE, new BandAnswer(probe.key(), null));
    } else {
      out.collect(new SignatureLookup(firstKey, probe.key()));
    }
  }
}
