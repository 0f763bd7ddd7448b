package io.nagselector.model;

import java.util.Map;

/** One document's outcome: its features per neuron type, or why it has none. */
public sealed interface ExtractionResult {
  String docId();

  /** Layer-major top-K indices per requested type, and how many tokens the document had. */
  record Features(String docId, Map<NeuronType, int[]> features, int tokens)
      implements ExtractionResult {}

  /** Why a document has no features. */
  enum Reason {
    /** Its text has no tokens for the model. */
    EMPTY_AFTER_TOKENIZATION,
    /** The model failed on it (or on its batch). */
    EXTRACTION_FAILED
  }

  /** A per-document failure with a machine-readable reason. */
  record Failure(String docId, Reason reason, String message) implements ExtractionResult {}
}
