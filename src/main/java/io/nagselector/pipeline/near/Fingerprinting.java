package io.nagselector.pipeline.near;

import io.nagselector.dedupe.Fingerprint;
import io.nagselector.dedupe.NearDuplicates;
import io.nagselector.io.DocumentValidator;
import io.nagselector.pipeline.SourcedDocument;
import io.nagselector.pipeline.order.StreamOrder;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * The near-duplicate stage's first step: a document's fingerprint, sent three ways. Its signature
 * goes to the signature store, the document itself to the decision, and one probe per band to the
 * bucket index. A text without a word has no fingerprint and goes straight on.
 */
public final class Fingerprinting extends ProcessFunction<SourcedDocument, BandProbe> {
  static final OutputTag<Signature> SIGNATURES = new OutputTag<>("near-signatures") {};
  static final OutputTag<PendingDocument> DOCUMENTS = new OutputTag<>("near-documents") {};
  static final OutputTag<SourcedDocument> WORDLESS = new OutputTag<>("near-wordless") {};

  private final NearDuplicateSettings settings;
  private transient NearDuplicates rule;

  public Fingerprinting(NearDuplicateSettings settings) {
    this.settings = settings;
  }

  @Override
  public void open(OpenContext context) {
    rule = settings.rule();
  }

  @Override
  public void processElement(SourcedDocument doc, Context ctx, Collector<BandProbe> out) {
    String text = doc.document().getText();
    Fingerprint fingerprint = rule.fingerprint(text);
    if (!fingerprint.hasWords()) {
      ctx.output(WORDLESS, doc);
      return;
    }
    long key = DocumentValidator.dedupeHash(text);
    Long timestamp = ctx.timestamp();
    long time = timestamp != null ? timestamp : ctx.timerService().currentProcessingTime();
    long sequence = StreamOrder.sequence(doc.origin().partition(), doc.origin().offset());
    Signature self =
        new Signature(key, doc.document().getId(), time, sequence, fingerprint.sketch());
    ctx.output(SIGNATURES, self);
    ctx.output(DOCUMENTS, new PendingDocument(doc, self));
    for (long bucket : fingerprint.buckets()) {
      out.collect(new BandProbe(bucket, key, sequence));
    }
  }
}
