package io.nagselector.nag;

import java.util.ArrayList;
import java.util.List;

/**
 * What one shard does with a scored document for a fraction target: every document feeds the
 * running quantile; the shard's first documents are held, and when the last of them arrives they
 * are judged together by the quantile in force then; after that each document is judged when it
 * arrives. A document clearly above or below the cut is decided; one inside the band where the cut
 * may still lie ({@link FractionPolicy#verdict}) is left undecided, for the target's whole stream
 * to decide ({@link PendingDecisions}). The quantile is shared by all shards of a parallel
 * instance, so a warm-up is judged on at least its own documents, and usually on many more. Pure:
 * the caller keeps the held documents and the shard's count.
 */
public final class FractionRule {
  private FractionRule() {}

  /** What happened to an offered document. */
  public sealed interface Outcome {}

  /** Held for the warm-up, which waits for more documents. */
  public record Held() implements Outcome {}

  /**
   * The document completed the warm-up: of its documents (it included) these are accepted, these
   * rejected and these undecided, by the quantile in force.
   */
  public record WarmUpDecided(
      List<FractionPolicy.Scored> accepted,
      List<FractionPolicy.Scored> rejected,
      List<FractionPolicy.Scored> undecided,
      double threshold)
      implements Outcome {}

  /** Judged by the quantile in force. */
  public record Decided(FractionPolicy.Verdict verdict, double threshold) implements Outcome {}

  /**
   * Offers {@code doc} to a shard with {@code warmUpLeft} warm-up places left; {@code held} is what
   * the shard holds, read only when {@code doc} completes the warm-up ({@code warmUpLeft} 1);
   * {@code sigmas} is the band's width (0: decide everything here).
   */
  public static Outcome offer(
      FractionState fraction,
      double sigmas,
      int warmUpLeft,
      FractionPolicy.Scored doc,
      List<FractionPolicy.Scored> held) {
    fraction.observe(doc.similarity(), doc.tokens());
    if (warmUpLeft > 1) {
      return new Held();
    }
    double threshold = fraction.threshold();
    if (warmUpLeft == 1) {
      List<FractionPolicy.Scored> warmUp = new ArrayList<>(held);
      warmUp.add(doc);
      List<FractionPolicy.Scored> accepted = new ArrayList<>();
      List<FractionPolicy.Scored> rejected = new ArrayList<>();
      List<FractionPolicy.Scored> undecided = new ArrayList<>();
      for (FractionPolicy.Scored d : warmUp) {
        switch (judge(fraction, sigmas, d)) {
          case ACCEPT -> accepted.add(d);
          case REJECT -> rejected.add(d);
          case UNDECIDED -> undecided.add(d);
        }
      }
      return new WarmUpDecided(accepted, rejected, undecided, threshold);
    }
    return new Decided(judge(fraction, sigmas, doc), threshold);
  }

  private static FractionPolicy.Verdict judge(
      FractionState fraction, double sigmas, FractionPolicy.Scored d) {
    FractionPolicy.Verdict verdict = fraction.verdict(d.docId(), d.similarity(), sigmas);
    if (verdict != FractionPolicy.Verdict.UNDECIDED) {
      fraction.decided(d.tokens(), verdict == FractionPolicy.Verdict.ACCEPT);
    }
    return verdict;
  }
}
