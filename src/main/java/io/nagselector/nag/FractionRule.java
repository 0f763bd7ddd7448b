package io.nagselector.nag;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

/**
 * What one shard does with a scored document for a fraction target: every document feeds the
 * running quantile; the shard's first documents are held and decided together by the warm-up rule
 * ({@link FractionPolicy#decideWarmUp}) when the last of them arrives; after that the running
 * threshold decides. Pure: the caller keeps the held documents and the shard's count.
 */
public final class FractionRule {
  private FractionRule() {}

  /** What happened to an offered document. */
  public sealed interface Outcome {}

  /** Held for the warm-up, which waits for more documents. */
  public record Held() implements Outcome {}

  /** The document completed the warm-up: these of its documents (it included) are accepted. */
  public record WarmUpDecided(List<FractionPolicy.Scored> accepted) implements Outcome {}

  /** Decided by the threshold in force. */
  public record Decided(boolean accepted, double threshold) implements Outcome {}

  /**
   * Offers {@code doc} to a shard with {@code warmUpLeft} warm-up places left; {@code held} is what
   * the shard holds, read only when {@code doc} completes the warm-up ({@code warmUpLeft} 1).
   */
  public static Outcome offer(
      FractionState fraction,
      double value,
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
      List<FractionPolicy.Scored> accepted = FractionPolicy.decideWarmUp(warmUp, value);
      Set<FractionPolicy.Scored> chosen = Collections.newSetFromMap(new IdentityHashMap<>());
      chosen.addAll(accepted);
      for (FractionPolicy.Scored d : warmUp) {
        fraction.decided(d.tokens(), chosen.contains(d));
      }
      return new WarmUpDecided(accepted);
    }
    double threshold = fraction.threshold();
    boolean accepts = fraction.accepts(doc.docId(), doc.similarity());
    fraction.decided(doc.tokens(), accepts);
    return new Decided(accepts, threshold);
  }
}
