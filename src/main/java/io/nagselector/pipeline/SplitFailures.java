package io.nagselector.pipeline;

import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

/** Routes documents whose extraction failed to the dead-letter side output. */
public final class SplitFailures extends ProcessFunction<ExtractedDocument, ExtractedDocument> {
  @Override
  public void processElement(ExtractedDocument doc, Context ctx, Collector<ExtractedDocument> out) {
    if (doc.failed()) {
      ctx.output(DeadLetters.TAG, doc.deadLetter());
    } else {
      out.collect(doc);
    }
  }
}
