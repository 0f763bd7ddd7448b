package io.nagselector.duplicates.near;

import io.nagselector.duplicates.ExpiringState;
import io.nagselector.pipeline.near.Signature;
import java.time.Duration;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Keyed by text: each text's signature, kept once for the TTL however many buckets it is first in,
 * and the answers to lookups for it. A lookup can overtake the signature it asks for (they travel
 * different paths); it then waits for it until the watermark passes the lookup's timestamp: the
 * signature, of a text no later than the one asking, has come by then unless it was forgotten
 * (TTL). A lookup still unanswered then is counted and dropped: the text asking is decided without
 * that candidate (a near-duplicate missed, never a document lost).
 */
public final class SignatureStore
    extends KeyedCoProcessFunction<Long, Signature, SignatureLookup, BandAnswer> {
  private final Duration ttl;
  private transient ValueState<Signature> signature;
  private transient ListState<Long> waiting;
  private transient Counter unanswered;

  public SignatureStore(Duration ttl) {
    this.ttl = ttl;
  }

  @Override
  public void open(OpenContext context) {
    ValueStateDescriptor<Signature> descriptor =
        new ValueStateDescriptor<>("signature", TypeInformation.of(Signature.class));
    descriptor.enableTimeToLive(ExpiringState.after(ttl));
    signature = getRuntimeContext().getState(descriptor);
    waiting = getRuntimeContext().getListState(new ListStateDescriptor<>("waiting", Types.LONG));
    unanswered = getRuntimeContext().getMetricGroup().counter("nearDuplicateLookupsUnanswered");
  }

  @Override
  public void processElement1(Signature value, Context ctx, Collector<BandAnswer> out)
      throws Exception {
    signature.update(value);
    for (long key : waiting.get()) {
      out.collect(new BandAnswer(key, value));
    }
    waiting.clear();
  }

  /** Every lookup has a timestamp: {@link Fingerprinting} gives its probe one. */
  @Override
  public void processElement2(SignatureLookup lookup, Context ctx, Collector<BandAnswer> out)
      throws Exception {
    Signature first = signature.value();
    if (first != null) {
      out.collect(new BandAnswer(lookup.key(), first));
      return;
    }
    waiting.add(lookup.key());
    ctx.timerService().registerEventTimeTimer(ctx.timestamp());
  }

  @Override
  public void onTimer(long timestamp, OnTimerContext ctx, Collector<BandAnswer> out)
      throws Exception {
    for (long ignored : waiting.get()) {
      unanswered.inc();
    }
    waiting.clear();
  }
}
