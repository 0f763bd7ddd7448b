package io.nagselector.pipeline;

import io.nagselector.avro.CrawlDocument;
import io.nagselector.extract.SplitFailures;

/**
 * A document with its feature (layer-major top-K indices of the configured neuron type) and token
 * count. The async extraction emits it, or the dead letter that replaces it, as an {@code
 * Either<DeadLetter, ExtractedDocument>}: async functions cannot use side outputs, so {@link
 * SplitFailures} routes the dead letters right after.
 */
public record ExtractedDocument(CrawlDocument document, int[] feature, int tokens) {}
