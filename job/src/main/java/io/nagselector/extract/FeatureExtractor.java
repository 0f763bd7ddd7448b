package io.nagselector.extract;

import io.nagselector.model.ExtractionResult;
import io.nagselector.model.MicroBatcher;
import java.io.Serializable;
import java.util.concurrent.CompletableFuture;

/**
 * The one interface the job uses to get NAG features: asynchronous, one document at a time (the
 * implementation batches behind it). Serializable so the job graph can carry its factory.
 */
public interface FeatureExtractor extends AutoCloseable {
  CompletableFuture<ExtractionResult> extract(String docId, String text);

  /** Batching counters, when the extractor batches (null otherwise). */
  default MicroBatcher.Stats stats() {
    return null;
  }

  /** The fingerprint of every feature this extractor makes. */
  String fingerprint();

  @Override
  void close();

  /** Makes the extractor inside a task (models are loaded there, not in the client). */
  @FunctionalInterface
  interface Factory extends Serializable {
    FeatureExtractor open();
  }
}
