package io.nagselector.duplicates.near;

import io.nagselector.duplicates.ExpiringState;
import io.nagselector.duplicates.InTimestampOrder;
import io.nagselector.pipeline.near.BandProbe;
import io.nagselector.pipeline.near.WaitingProbe;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.InternalTimer;
import org.apache.flink.streaming.api.operators.InternalTimerService;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.operators.Triggerable;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * Keyed by LSH bucket: remembers the key of the first text that fell in it, for the TTL, and sends
 * each later text to the signature store to ask for the first one's signature. "First" is in {@link
 * io.nagselector.pipeline.order.StreamOrder}: a probe of a bucket that has no first text yet waits
 * until the watermark passes its timestamp, as an event-time timer whose namespace is the probe, so
 * that two copies racing through different subtasks reach the bucket in the stream's order; the
 * probes a watermark releases are placed in that order. A probe the watermark has already passed
 * (none, behind {@link Fingerprinting}) is placed as it comes ({@code nearProbesOutOfOrder}).
 *
 * <p>Savepoints of earlier builds (fixtures v1 to v7) hold waiting probes in keyed map state, with
 * timers under Flink's {@code user-timers}; they are released the same way.
 */
public final class BucketIndex extends AbstractStreamOperator<SignatureLookup>
    implements OneInputStreamOperator<BandProbe, SignatureLookup>, Triggerable<Long, WaitingProbe> {
  static final MapStateDescriptor<Long, List<BandProbe>> LEGACY_WAITING =
      InTimestampOrder.descriptor("waiting", TypeInformation.of(BandProbe.class));
  private static final Comparator<Released> STREAM_ORDER =
      Comparator.comparingLong(Released::timestamp)
          .thenComparingLong(r -> r.probe().sequence())
          .thenComparingLong(r -> r.probe().key());

  /** A probe the watermark released, at its timestamp. */
  private record Released(BandProbe probe, long timestamp) {}

  private final Duration ttl;
  private transient ValueState<Long> first;
  private transient InternalTimerService<WaitingProbe> waiting;
  private transient InTimestampOrder<BandProbe> legacyWaiting;
  private transient List<Released> released;
  private transient Counter outOfOrder;

  public BucketIndex(Duration ttl) {
    this.ttl = ttl;
  }

  @Override
  public void open() throws Exception {
    super.open();
    ValueStateDescriptor<Long> descriptor = new ValueStateDescriptor<>("first", Types.LONG);
    descriptor.enableTimeToLive(ExpiringState.after(ttl));
    first = getRuntimeContext().getState(descriptor);
    waiting =
        getInternalTimerService(
            "near-probes",
            TypeInformation.of(WaitingProbe.class)
                .createSerializer(getExecutionConfig().getSerializerConfig()),
            this);
    legacyWaiting = new InTimestampOrder<>(getRuntimeContext().getMapState(LEGACY_WAITING));
    getInternalTimerService("user-timers", VoidNamespaceSerializer.INSTANCE, new LegacyRelease());
    released = new ArrayList<>();
    outOfOrder = getMetricGroup().counter("nearProbesOutOfOrder");
  }

  @Override
  public void processElement(StreamRecord<BandProbe> record) throws Exception {
    BandProbe probe = record.getValue();
    Long firstKey = first.value();
    if (!record.hasTimestamp() || record.getTimestamp() <= waiting.currentWatermark()) {
      outOfOrder.inc();
      place(probe, firstKey, record);
    } else if (firstKey != null) {
      place(probe, firstKey, record); // the watermark has passed the first text: it came first
    } else {
      waiting.registerEventTimeTimer(
          new WaitingProbe(probe.key(), probe.sequence()), record.getTimestamp());
    }
  }

  @Override
  public void onEventTime(InternalTimer<Long, WaitingProbe> timer) {
    WaitingProbe p = timer.getNamespace();
    released.add(
        new Released(new BandProbe(timer.getKey(), p.key(), p.sequence()), timer.getTimestamp()));
  }

  @Override
  public void onProcessingTime(InternalTimer<Long, WaitingProbe> timer) {}

  /**
   * Fires the timers the watermark passes, places their probes in the stream's order, then emits.
   */
  @Override
  public void processWatermark(Watermark mark) throws Exception {
    timeServiceManager.advanceWatermark(mark);
    released.sort(STREAM_ORDER);
    for (Released r : released) {
      setCurrentKey(r.probe().bucket());
      place(r.probe(), first.value(), new StreamRecord<>(r.probe(), r.timestamp()));
    }
    released.clear();
    output.emitWatermark(mark);
  }

  /** Places a probe in the bucket whose first text is {@code firstKey}. */
  private void place(BandProbe probe, Long firstKey, StreamRecord<BandProbe> at) throws Exception {
    if (firstKey == null) {
      first.update(probe.key());
    } else if (firstKey != probe.key()) { // not the same text again (the exact dedupe forgot it)
      output.collect(at.replace(new SignatureLookup(firstKey, probe.key())));
    }
  }

  /** Releases the probes an earlier build held in map state, by timestamp. */
  private final class LegacyRelease implements Triggerable<Long, VoidNamespace> {
    @Override
    public void onEventTime(InternalTimer<Long, VoidNamespace> timer) throws Exception {
      for (BandProbe probe : legacyWaiting.release(timer.getTimestamp())) {
        released.add(new Released(probe, timer.getTimestamp()));
      }
    }

    @Override
    public void onProcessingTime(InternalTimer<Long, VoidNamespace> timer) {}
  }
}
