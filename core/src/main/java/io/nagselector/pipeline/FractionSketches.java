package io.nagselector.pipeline;

import io.nagselector.nag.FractionPolicy;

/**
 * Holds the fraction sketches' state type under the name savepoints know it by; an instance's
 * sketches are {@code select.InstanceSketches}.
 */
public final class FractionSketches {
  private FractionSketches() {}

  /**
   * One checkpointed sketch: a target version's fraction, its KLL sketch bytes, the tokens decided
   * and accepted for it (added after savepoint v1, whose entries restore them as null: unknown),
   * the sum of the observed documents' squared tokens (added after v4), and the number of observed
   * documents (added after v5). Stored by Flink's record serializer: a field may be added, none
   * renamed or retyped.
   */
  public record Entry(
      String target,
      int version,
      double fraction,
      byte[] sketch,
      Long decidedTokens,
      Long acceptedTokens,
      Long squaredTokens,
      Long observedDocuments) {
    public static Entry of(String target, int version, FractionPolicy policy) {
      return new Entry(
          target,
          version,
          policy.fraction(),
          policy.sketchBytes(),
          policy.decidedTokens(),
          policy.acceptedTokens(),
          policy.squaredTokens(),
          policy.observedDocuments());
    }

    public FractionPolicy policy() {
      return FractionPolicy.of(
          fraction, sketch, decidedTokens, acceptedTokens, squaredTokens, observedDocuments);
    }
  }
}
