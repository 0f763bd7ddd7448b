package io.nagselector.pipeline;

import io.nagselector.avro.CrawlDocument;

/**
 * A document with its feature (layer-major top-K indices of the configured neuron type) and token
 * count. The async extraction emits it, or the dead letter that replaces it, as an {@code
 * Either<DeadLetter, ExtractedDocument>}: async functions cannot use side outputs, so {@code
 * extract.SplitFailures} routes the dead letters right after.
 */
public record ExtractedDocument(CrawlDocument document, int[] feature, int tokens) {}
