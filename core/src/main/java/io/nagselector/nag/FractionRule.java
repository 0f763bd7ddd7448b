package io.nagselector.nag;

/**
 * What one shard does with a scored document for a fraction target: every document feeds the
 * running quantile its parallel instance shares. Until that quantile has seen the warm-up's
 * documents, the shard decides nothing: the document goes to the target's whole stream, which holds
 * the first {@code warmUp} documents of the whole stream and then decides them together ({@link
 * PendingDecisions}). After that the shard judges each document when it arrives: one clearly above
 * or below the cut is decided; one inside the band where the cut may still lie ({@link
 * FractionPolicy#verdict}) is left undecided, for the target's whole stream to decide. So a target
 * starts accepting after about {@code warmUp} documents of its stream, whatever the number of
 * shards. Pure: the caller keeps the shard's count.
 */
public final class FractionRule {
  private FractionRule() {}

  /** What happened to an offered document. */
  public sealed interface Outcome {}

  /** The instance's quantile is still warming up: the target's whole stream decides it. */
  public record WarmingUp() implements Outcome {}

  /** Judged by the quantile in force. */
  public record Decided(FractionPolicy.Verdict verdict, double threshold) implements Outcome {}

  /**
   * Offers {@code doc}; {@code sigmas} is the band's width (0: decide everything here once warm).
   */
  public static Outcome offer(
      FractionState fraction, double sigmas, int warmUp, FractionPolicy.Scored doc) {
    fraction.observe(doc.similarity(), doc.tokens());
    if (!warm(fraction, warmUp)) {
      return new WarmingUp();
    }
    FractionPolicy.Verdict verdict = fraction.verdict(doc.docId(), doc.similarity(), sigmas);
    if (verdict != FractionPolicy.Verdict.UNDECIDED) {
      fraction.decided(doc.tokens(), verdict == FractionPolicy.Verdict.ACCEPT);
    }
    return new Decided(verdict, fraction.threshold());
  }

  /** Whether a quantile has seen the warm-up's documents. */
  public static boolean warm(FractionState fraction, int warmUp) {
    return fraction.observedDocuments() >= warmUp && !Double.isNaN(fraction.threshold());
  }
}
