package io.nagselector.duplicates;

import io.nagselector.pipeline.SourcedDocument;
import java.time.Duration;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * The dedupe memory of builds before 0.2, restored from their savepoints: keyed by the whole
 * SHA-256 in hex, one entry (when the text was first seen) and one timer per text. It only answers:
 * a document whose text it still remembers is a duplicate; nothing new is remembered here ({@link
 * ExactDuplicates} does that). An entry is remembered until {@code dedupe.ttl} (the configured one,
 * as for the compact memory) has passed since its text was first seen; the old build's timer, set
 * to first seen + its own TTL, only removes it, and moves on to the configured TTL where that is
 * longer. Its uid and state name are the old operator's, so that an upgrade keeps the memory
 * instead of dropping it.
 */
public final class LegacyDedupe
    extends KeyedProcessFunction<String, SourcedDocument, SourcedDocument> {
  private final long ttlMillis;
  private final boolean emitDuplicates;
  private transient ValueState<Long> firstSeen;
  private transient Counter duplicates;

  public LegacyDedupe(Duration ttl, boolean emitDuplicates) {
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
    Long seen = firstSeen.value();
    if (seen == null || forgotten(seen, ctx.timerService().currentProcessingTime())) {
      out.collect(doc);
      return;
    }
    duplicates.inc();
    if (emitDuplicates) {
      ctx.output(ExactDuplicates.DUPLICATES, ExactDuplicates.duplicate(doc));
    }
  }

  @Override
  public void onTimer(long timestamp, OnTimerContext ctx, Collector<SourcedDocument> out)
      throws Exception {
    Long seen = firstSeen.value();
    if (seen != null && !forgotten(seen, timestamp)) {
      ctx.timerService().registerProcessingTimeTimer(seen + ttlMillis);
    } else {
      firstSeen.clear();
    }
  }

  private boolean forgotten(long seen, long now) {
    return now - seen >= ttlMillis;
  }
}
