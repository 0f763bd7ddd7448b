package io.nagselector.pipeline;

import io.nagselector.avro.CrawlDocument;
import java.time.Duration;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Operator 3, keyed by the text's dedupe key: the first document with a text passes, later ones
 * within {@code ttl} are counted and skipped (optionally emitted on a side output) before they cost
 * inference. The key's state is dropped by a processing-time timer when the TTL ends.
 */
public final class ExactDedupe
    extends KeyedProcessFunction<String, SourcedDocument, SourcedDocument> {
  public static final OutputTag<CrawlDocument> DUPLICATES = new OutputTag<>("duplicates") {};

  private final long ttlMillis;
  private final boolean emitDuplicates;
  private transient ValueState<Long> firstSeen;
  private transient Counter duplicates;

  public ExactDedupe(Duration ttl, boolean emitDuplicates) {
    if (ttl.isNegative() || ttl.isZero()) {
      throw new IllegalArgumentException("dedupe.ttl must be positive, got " + ttl);
    }
    this.ttlMillis = ttl.toMillis();
    this.emitDuplicates = emitDuplicates;
  }

  @Override
  public void open(OpenContext context) {
    firstSeen = getRuntimeContext().getState(new ValueStateDescriptor<>("first-seen", Long.class));
    duplicates = getRuntimeContext().getMetricGroup().counter("duplicates");
  }

  @Override
  public void processElement(SourcedDocument doc, Context ctx, Collector<SourcedDocument> out)
      throws Exception {
    if (firstSeen.value() != null) {
      duplicates.inc();
      if (emitDuplicates) {
        ctx.output(DUPLICATES, doc.document());
      }
      return;
    }
    long now = ctx.timerService().currentProcessingTime();
    firstSeen.update(now);
    ctx.timerService().registerProcessingTimeTimer(now + ttlMillis);
    out.collect(doc);
  }

  @Override
  public void onTimer(long timestamp, OnTimerContext ctx, Collector<SourcedDocument> out) {
    firstSeen.clear();
  }
}
