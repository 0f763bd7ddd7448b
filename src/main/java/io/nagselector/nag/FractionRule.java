package io.nagselector.nag;

import java.util.ArrayList;
import java.util.List;

/**
 * What one shard does with a scored document for a fraction target: every document feeds the
 * running quantile; the shard's first documents are held, and when the last of them arrives they
 * are decided together by the threshold in force then; after that each document is decided by the
 * threshold in force when it arrives. The quantile is shared by all shards of a parallel instance,
 * so a warm-up is decided on at least its own documents, and usually on many more: that halved the
 * warm-up's disagreements with the batch rule against deciding each shard's few documents alone
 * (FractionStreamSimulationTest). Pure: the caller keeps the held documents and the shard's count.
 */
public final class FractionRule {
  private FractionRule() {}

  /** What happened to an offered document. */
  public sealed interface Outcome {}

  /** Held for the warm-up, which waits for more documents. */
  public record Held() implements Outcome {}

  /**
   * The document completed the warm-up: these of its documents (it included) are accepted, by this
   * threshold.
   */
  public record WarmUpDecided(List<FractionPolicy.Scored> accepted, double threshold)
      implements Outcome {}

  /** Decided by the threshold in force. */
  public record Decided(boolean accepted, double threshold) implements Outcome {}

  /**
   * Offers {@code doc} to a shard with {@code warmUpLeft} warm-up places left; {@code held} is what
   * the shard holds, read only when {@code doc} completes the warm-up ({@code warmUpLeft} 1).
   */
  public static Outcome offer(
      FractionState fraction,
      int warmUpLeft,
      FractionPolicy.Scored doc,
      List<FractionPolicy.Scored> held) {
    fraction.observe(doc.similarity(), doc.tokens());
    if (warmUpLeft > 1) {
      return new Held();
    }
    if (warmUpLeft == 1) {
      List<FractionPolicy.Scored> warmUp = new ArrayList<>(held);
      warmUp.add(doc);
      double threshold = fraction.threshold();
      List<FractionPolicy.Scored> accepted = new ArrayList<>();
      for (FractionPolicy.Scored d : warmUp) {
        boolean accepts = fraction.accepts(d.docId(), d.similarity());
        fraction.decided(d.tokens(), accepts);
        if (accepts) {
          accepted.add(d);
        }
      }
      return new WarmUpDecided(accepted, threshold);
    }
    double threshold = fraction.threshold();
    boolean accepts = fraction.accepts(doc.docId(), doc.similarity());
    fraction.decided(doc.tokens(), accepts);
    return new Decided(accepts, threshold);
  }
}
