package io.nagselector.pipeline;

import io.nagselector.avro.DuplicateDocument;
import io.nagselector.avro.DuplicateKind;
import java.time.Duration;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Operator 3, keyed by 64 bits of the text's hash ({@code DocumentValidator.dedupeHash}): the first
 * document with a text passes, later ones within {@code ttl} are counted and skipped (optionally
 * emitted on a side output) before they cost inference. Each remembered text is one small entry
 * with Flink's state TTL, expired by RocksDB's compaction filter (and incrementally on a heap
 * backend): no timer per text, whose entries had cost as much again as the memory itself.
 */
public final class ExactDedupe
    extends KeyedProcessFunction<Long, SourcedDocument, SourcedDocument> {
  public static final OutputTag<DuplicateDocument> DUPLICATES = new OutputTag<>("duplicates") {};

  private final Duration ttl;
  private final boolean emitDuplicates;
  private transient ValueState<Boolean> seen;
  private transient Counter duplicates;

  public ExactDedupe(Duration ttl, boolean emitDuplicates) {
    if (ttl.isNegative() || ttl.isZero()) {
      throw new IllegalArgumentException("dedupe.ttl must be positive, got " + ttl);
    }
    this.ttl = ttl;
    this.emitDuplicates = emitDuplicates;
  }

  /** The remembered-text state: a flag that expires {@code ttl} after it was written. */
  static ValueStateDescriptor<Boolean> seenDescriptor(Duration ttl) {
    ValueStateDescriptor<Boolean> seen = new ValueStateDescriptor<>("seen", Types.BOOLEAN);
    seen.enableTimeToLive(ExpiringState.after(ttl));
    return seen;
  }

  @Override
  public void open(OpenContext context) {
    seen = getRuntimeContext().getState(seenDescriptor(ttl));
    duplicates = getRuntimeContext().getMetricGroup().counter("duplicates");
  }

  @Override
  public void processElement(SourcedDocument doc, Context ctx, Collector<SourcedDocument> out)
      throws Exception {
    if (seen.value() != null) {
      duplicates.inc();
      if (emitDuplicates) {
        ctx.output(DUPLICATES, duplicate(doc));
      }
      return;
    }
    seen.update(true);
    out.collect(doc);
  }

  /** An exact duplicate as the duplicates output shows it: the earlier id is not remembered. */
  static DuplicateDocument duplicate(SourcedDocument doc) {
    return new DuplicateDocument(doc.document(), DuplicateKind.EXACT, null, 1.0);
  }
}
