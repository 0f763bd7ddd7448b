package io.nagselector.pipeline;

import io.nagselector.avro.CrawlDocument;
import io.nagselector.avro.DeadLetter;

/**
 * What the async extraction emits for a document: its feature (layer-major top-K indices of the
 * configured neuron type) and token count, or the dead letter that replaces it. Async functions
 * cannot use side outputs, so failures travel in-band and are split off right after.
 */
public record ExtractedDocument(
    CrawlDocument document, int[] feature, int tokens, DeadLetter deadLetter) {

  public boolean failed() {
    return deadLetter != null;
  }
}
