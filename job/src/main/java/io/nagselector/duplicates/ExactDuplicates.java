package io.nagselector.duplicates;

import io.nagselector.avro.DuplicateDocument;
import io.nagselector.avro.DuplicateKind;
import io.nagselector.pipeline.ExactDedupe;
import io.nagselector.pipeline.SourcedDocument;
import java.time.Duration;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
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
 *
 * <p>Which copy is first does not depend on how fast the copies came: a new text waits until the
 * watermark passes its timestamp, with an event-time timer, and meanwhile only the earliest copy in
 * {@link StreamOrder} waits; any other is a duplicate at once, as is any copy of a text already
 * remembered (the watermark has passed it, so it came first). A document too late to be put in
 * order is decided on arrival and counted ({@code decidedOutOfOrder}).
 */
public final class ExactDuplicates
    extends KeyedProcessFunction<Long, SourcedDocument, SourcedDocument> {
  public static final OutputTag<DuplicateDocument> DUPLICATES = new OutputTag<>("duplicates") {};

  static final ValueStateDescriptor<ExactDedupe.Earliest> EARLIEST =
      new ValueStateDescriptor<>("earliest", TypeInformation.of(ExactDedupe.Earliest.class));

  private final Duration ttl;
  private final boolean emitDuplicates;
  private transient ValueState<Boolean> seen;
  private transient ValueState<ExactDedupe.Earliest> earliest;
  private transient Counter duplicates;
  private transient Counter outOfOrder;

  /** Whether {@code doc} (of {@code timestamp}) comes before the copy that waits. */
  static boolean comesBefore(long timestamp, SourcedDocument doc, ExactDedupe.Earliest waiting) {
    return waiting.timestamp() != timestamp
        ? timestamp < waiting.timestamp()
        : StreamOrder.WITHIN_TIMESTAMP.compare(doc, waiting.document()) < 0;
  }

  public ExactDuplicates(Duration ttl, boolean emitDuplicates) {
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
    earliest = getRuntimeContext().getState(EARLIEST);
    duplicates = getRuntimeContext().getMetricGroup().counter("duplicates");
    outOfOrder = getRuntimeContext().getMetricGroup().counter("decidedOutOfOrder");
  }

  @Override
  public void processElement(SourcedDocument doc, Context ctx, Collector<SourcedDocument> out)
      throws Exception {
    Long timestamp = ctx.timestamp();
    if (!InTimestampOrder.inOrder(timestamp, ctx.timerService())) {
      outOfOrder.inc();
      decide(doc, ctx, out);
    } else if (seen.value() != null) {
      skip(doc, ctx);
    } else {
      ExactDedupe.Earliest waiting = earliest.value();
      if (waiting == null || comesBefore(timestamp, doc, waiting)) {
        if (waiting != null) {
          ctx.timerService().deleteEventTimeTimer(waiting.timestamp());
          skip(waiting.document(), ctx);
        }
        earliest.update(new ExactDedupe.Earliest(timestamp, doc));
        ctx.timerService().registerEventTimeTimer(timestamp);
      } else {
        skip(doc, ctx);
      }
    }
  }

  @Override
  public void onTimer(long timestamp, OnTimerContext ctx, Collector<SourcedDocument> out)
      throws Exception {
    ExactDedupe.Earliest waiting = earliest.value();
    if (waiting != null) {
      earliest.clear();
      decide(waiting.document(), ctx, out);
    }
  }

  private void decide(SourcedDocument doc, Context ctx, Collector<SourcedDocument> out)
      throws Exception {
    if (seen.value() != null) {
      skip(doc, ctx);
      return;
    }
    seen.update(true);
    out.collect(doc);
  }

  private void skip(SourcedDocument doc, Context ctx) {
    duplicates.inc();
    if (emitDuplicates) {
      ctx.output(DUPLICATES, duplicate(doc));
    }
  }

  /** An exact duplicate as the duplicates output shows it: the earlier id is not remembered. */
  static DuplicateDocument duplicate(SourcedDocument doc) {
    return new DuplicateDocument(doc.document(), DuplicateKind.EXACT, null, 1.0);
  }
}
