package io.nagselector.ingest;

import io.nagselector.avro.CrawlDocument;
import io.nagselector.io.CrawlDecoder;
import io.nagselector.io.DocumentValidator;
import io.nagselector.pipeline.RawRecord;
import io.nagselector.pipeline.SourcedDocument;
import java.time.Instant;
import java.util.Optional;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Operators 1 and 2: bytes to a valid {@link CrawlDocument}; anything else goes to the dead-letter
 * side output with its reason. The job never fails on data.
 */
public final class DecodeAndValidate extends ProcessFunction<RawRecord, SourcedDocument> {
  private final CrawlDecoder.Format format;
  private final int maxTextBytes;
  private transient CrawlDecoder decoder;
  private transient DocumentValidator validator;
  private transient Counter documentsIn;
  private transient DeadLetterCounters deadLetters;

  public DecodeAndValidate(CrawlDecoder.Format format, int maxTextBytes) {
    this.format = format;
    this.maxTextBytes = maxTextBytes;
  }

  @Override
  public void open(OpenContext context) {
    decoder = new CrawlDecoder(format);
    validator = new DocumentValidator(maxTextBytes);
    documentsIn = getRuntimeContext().getMetricGroup().counter("documentsIn");
    deadLetters = new DeadLetterCounters(getRuntimeContext().getMetricGroup());
  }

  @Override
  public void processElement(RawRecord raw, Context ctx, Collector<SourcedDocument> out) {
    documentsIn.inc();
    Instant now = Instant.ofEpochMilli(ctx.timerService().currentProcessingTime());
    CrawlDecoder.Result result = decoder.decode(raw.value());
    if (result instanceof CrawlDecoder.Rejected r) {
      deadLetters.count(r.reason());
      ctx.output(DeadLetters.TAG, DeadLetters.of(r.reason(), r.message(), null, raw, now));
      return;
    }
    CrawlDocument doc = ((CrawlDecoder.Decoded) result).document();
    Optional<DocumentValidator.Rejection> rejection = validator.check(doc);
    if (rejection.isPresent()) {
      DocumentValidator.Rejection r = rejection.get();
      deadLetters.count(r.reason());
      ctx.output(DeadLetters.TAG, DeadLetters.of(r.reason(), r.message(), doc.getId(), raw, now));
      return;
    }
    out.collect(SourcedDocument.of(doc, raw));
  }
}
