package io.nagselector.model;

import java.util.Map;

/** One document's outcome: its features per neuron type, or why it has none. */
public sealed interface ExtractionResult {
  String docId();

  /** Layer-major top-K indices per requested type, and how many tokens the document had. */
  record Features(String docId, Map<NeuronType, int[]> features, int tokens)
      implements ExtractionResult {}

  /** A per-document failure with a machine-readable reason. */
  record Failure(String docId, String reason, String message) implements ExtractionResult {}

  String EMPTY_AFTER_TOKENIZATION = "EMPTY_AFTER_TOKENIZATION";
  String EXTRACTION_FAILED = "EXTRACTION_FAILED";
}
