package io.nagselector.extract;

import io.nagselector.avro.DeadLetter;
import io.nagselector.ingest.DeadLetterCounters;
import io.nagselector.ingest.DeadLetters;
import io.nagselector.pipeline.ExtractedDocument;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.types.Either;
import org.apache.flink.util.Collector;

/** Routes documents whose extraction failed to the dead-letter side output. */
public final class SplitFailures
    extends ProcessFunction<Either<DeadLetter, ExtractedDocument>, ExtractedDocument> {
  private transient DeadLetterCounters deadLetters;
  private transient Counter extracted;

  @Override
  public void open(OpenContext context) {
    deadLetters = new DeadLetterCounters(getRuntimeContext().getMetricGroup());
    extracted = getRuntimeContext().getMetricGroup().counter("extracted");
  }

  @Override
  public void processElement(
      Either<DeadLetter, ExtractedDocument> doc, Context ctx, Collector<ExtractedDocument> out) {
    if (doc.isLeft()) {
      deadLetters.count(doc.left().getReason());
      ctx.output(DeadLetters.TAG, doc.left());
    } else {
      extracted.inc();
      out.collect(doc.right());
    }
  }
}
