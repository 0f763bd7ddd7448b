package io.nagselector.pipeline;

/**
 * Holds the exact dedupe's state type under the name savepoints know it by; the operator is {@code
 * duplicates.ExactDuplicates}.
 */
public final class ExactDedupe {
  private ExactDedupe() {}

  /**
   * A new text's earliest copy so far, waiting for the watermark. Stored by Flink's record
   * serializer: a field may be added, none renamed or retyped.
   */
  public record Earliest(long timestamp, SourcedDocument document) {}
}
