package io.nagselector.pipeline;

import io.nagselector.avro.CrawlDocument;

/**
 * A warm-up document held in keyed state until its shard decides the warm-up: its similarity,
 * tokens, the document (Avro, which resolves older schemas) and its NAG. Stored by Flink's record
 * serializer: a field may be added, none renamed or retyped.
 */
public record HeldDocument(double similarity, int tokens, CrawlDocument document, int[] feature) {
  public ExtractedDocument extracted() {
    return new ExtractedDocument(document, feature, tokens);
  }
}
