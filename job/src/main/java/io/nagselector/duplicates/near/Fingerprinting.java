package io.nagselector.duplicates.near;

import io.nagselector.config.NearDuplicateSettings;
import io.nagselector.dedupe.Fingerprint;
import io.nagselector.dedupe.NearDuplicates;
import io.nagselector.duplicates.StreamOrder;
import io.nagselector.io.DocumentValidator;
import io.nagselector.pipeline.SourcedDocument;
import io.nagselector.pipeline.near.BandProbe;
import io.nagselector.pipeline.near.PendingDocument;
import io.nagselector.pipeline.near.Signature;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.runtime.watermarkstatus.WatermarkStatus;
import org.apache.flink.util.OutputTag;

/**
 * The near-duplicate stage's first step: a document's fingerprint, sent three ways. Its signature
 * goes to the signature store, the document itself to the decision, and one probe per band to the
 * bucket index. A text without a word has no fingerprint and goes straight on.
 *
 * <p>The rest of the stage decides when the watermark passes a record, so no record in it may be
 * late: one that comes after this operator's watermark ({@link #stageTime}) is stamped just after
 * it, and the operator never goes idle, so that the watermark downstream is never above its own.
 * (Its input comes through a keyed exchange from every upstream subtask: all its subtasks see the
 * same watermarks and go idle together, so none holds the others back.)
 *
 * <p>When its input goes idle, every upstream partition has flushed its watermark past all it
 * delivered, so nothing waits but the records stamped just after the watermark: the operator then
 * moves its watermark up by one, in every subtask alike, and they are decided. Without that, a late
 * record at the end of a burst would wait for the crawl's next record.
 */
public final class Fingerprinting extends AbstractStreamOperator<BandProbe>
    implements OneInputStreamOperator<SourcedDocument, BandProbe> {
  static final OutputTag<Signature> SIGNATURES = new OutputTag<>("near-signatures") {};
  static final OutputTag<PendingDocument> DOCUMENTS = new OutputTag<>("near-documents") {};
  static final OutputTag<SourcedDocument> WORDLESS = new OutputTag<>("near-wordless") {};

  private final NearDuplicateSettings settings;
  private transient NearDuplicates rule;
  private transient long watermark;
  private transient Counter late;

  public Fingerprinting(NearDuplicateSettings settings) {
    this.settings = settings;
  }

  /**
   * A record's time in the stage: its timestamp, or just after the watermark for one that has none
   * or comes too late to be put in order.
   */
  static long stageTime(Long timestamp, long watermark) {
    if (timestamp != null && timestamp > watermark) {
      return timestamp;
    }
    return watermark == Long.MAX_VALUE ? watermark : watermark + 1;
  }

  @Override
  public void open() throws Exception {
    super.open();
    rule = settings.rule();
    watermark = Long.MIN_VALUE;
    late = getMetricGroup().counter("nearDocumentsLate");
  }

  @Override
  public void processElement(StreamRecord<SourcedDocument> record) {
    SourcedDocument doc = record.getValue();
    String text = doc.document().getText();
    Fingerprint fingerprint = rule.fingerprint(text);
    if (!fingerprint.hasWords()) {
      output.collect(WORDLESS, record);
      return;
    }
    Long timestamp = record.hasTimestamp() ? record.getTimestamp() : null;
    long time = stageTime(timestamp, watermark);
    if (timestamp == null || time != timestamp) {
      late.inc();
    }
    long key = DocumentValidator.dedupeHash(text);
    long sequence = StreamOrder.sequence(doc.origin().partition(), doc.origin().offset());
    Signature self =
        new Signature(key, doc.document().getId(), time, sequence, fingerprint.sketch());
    output.collect(SIGNATURES, new StreamRecord<>(self, time));
    output.collect(DOCUMENTS, new StreamRecord<>(new PendingDocument(doc, self), time));
    for (long bucket : fingerprint.buckets()) {
      output.collect(new StreamRecord<>(new BandProbe(bucket, key, sequence), time));
    }
  }

  @Override
  public void processWatermark(Watermark mark) throws Exception {
    watermark = Math.max(watermark, mark.getTimestamp());
    super.processWatermark(mark);
  }

  @Override
  public void processWatermarkStatus(WatermarkStatus status) throws Exception {
    if (status.isIdle() && watermark < Long.MAX_VALUE) {
      processWatermark(new Watermark(watermark + 1));
    }
  }
}
