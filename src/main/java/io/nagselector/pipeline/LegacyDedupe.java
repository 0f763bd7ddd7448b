package io.nagselector.pipeline;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * The dedupe memory of builds before 0.2, restored from their savepoints: keyed by the whole
 * SHA-256 in hex, one entry and one timer per text. It only answers: a document whose text it still
 * remembers is a duplicate; nothing new is remembered here ({@link ExactDedupe} does that), and
 * each old entry goes when its timer fires, so after one dedupe TTL it holds nothing. Its uid and
 * state name are the old operator's, so that an upgrade keeps the memory instead of dropping it.
 */
public final class LegacyDedupe
    extends KeyedProcessFunction<String, SourcedDocument, SourcedDocument> {
  private final boolean emitDuplicates;
  private transient ValueState<Long> firstSeen;
  private transient Counter duplicates;

  public LegacyDedupe(boolean emitDuplicates) {
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
    if (firstSeen.value() == null) {
      out.collect(doc);
      return;
    }
    duplicates.inc();
    if (emitDuplicates) {
      ctx.output(ExactDedupe.DUPLICATES, ExactDedupe.duplicate(doc));
    }
  }

  @Override
  public void onTimer(long timestamp, OnTimerContext ctx, Collector<SourcedDocument> out) {
    firstSeen.clear();
  }
}
