package io.nagselector.pipeline;

import io.nagselector.avro.CrawlDocument;

/**
 * A valid crawl document and the Kafka record it came from (topic, partition and offset, without
 * the bytes), so that a dead letter made downstream can point at its source.
 */
public record SourcedDocument(CrawlDocument document, RawRecord origin) {

  public static SourcedDocument of(CrawlDocument document, RawRecord raw) {
    return new SourcedDocument(document, raw.withoutValue());
  }
}
