package io.nagselector.nag;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The band a fraction target leaves undecided, and the whole-stream decisions on what it left: by
 * the band once it narrows, by the threshold after the max-hold or when a version ends.
 */
class PendingDecisionsTest {
  /** 100 documents of 10 tokens, similarities .01 to 1.00: exact, below the sketch's k. */
  private static FractionPolicy hundred(double fraction) {
    FractionPolicy policy = new FractionPolicy(fraction);
    for (int i = 1; i <= 100; i++) {
      policy.observe(i / 100.0, 10);
    }
    return policy;
  }

  private static PendingDecisions.Pending pending(String id, double sim, long heldAt) {
    return new PendingDecisions.Pending(id, sim, 10, heldAt);
  }

  @Test
  void theBandIsSigmasStandardErrorsOfTheQuantilesRankAroundIt() {
    FractionPolicy policy = hundred(0.2);
    assertThat(policy.effectiveDocuments()).isEqualTo(100.0);
    assertThat(policy.threshold()).isEqualTo(0.8);
    // 2 sigmas: sqrt(.2 * .8 / 100) = .04, twice, plus the sketch's rank error (about .003): the
    // ranks .717 and .883, whose inclusive quantiles on this grid are .72 and .89
    FractionPolicy.Band band = policy.band(2);
    assertThat(band.lower()).isEqualTo(0.72);
    assertThat(band.upper()).isEqualTo(0.89);
    assertThat(policy.verdict("a", 0.95, 2)).isEqualTo(FractionPolicy.Verdict.ACCEPT);
    assertThat(policy.verdict("b", 0.89, 2)).isEqualTo(FractionPolicy.Verdict.UNDECIDED);
    assertThat(policy.verdict("c", 0.75, 2)).isEqualTo(FractionPolicy.Verdict.UNDECIDED);
    assertThat(policy.verdict("d", 0.71, 2)).isEqualTo(FractionPolicy.Verdict.REJECT);
    // without a band, the threshold decides on arrival
    assertThat(policy.verdict("c", 0.85, 0)).isEqualTo(FractionPolicy.Verdict.ACCEPT);
    assertThat(policy.verdict("c", 0.75, 0)).isEqualTo(FractionPolicy.Verdict.REJECT);
    assertThat(new FractionPolicy(0.2).verdict("e", 0.9, 2))
        .as("nothing observed yet")
        .isEqualTo(FractionPolicy.Verdict.UNDECIDED);
  }

  @Test
  void unevenTokenCountsCountAsFewerDocuments() {
    FractionPolicy policy = new FractionPolicy(0.2);
    policy.observe(0.1, 90);
    for (int i = 0; i < 10; i++) {
      policy.observe(0.5, 1);
    }
    // (90 + 10)^2 / (90^2 + 10 * 1^2) = 10000 / 8110
    assertThat(policy.effectiveDocuments()).isEqualTo(10000.0 / 8110);
  }

  @Test
  void whatTheBandNoLongerHoldsIsDecidedAndTheRestWaitsForTheMaxHold() {
    FractionPolicy policy = hundred(0.2);
    List<PendingDecisions.Pending> waiting =
        List.of(pending("high", 0.95, 0), pending("near", 0.8, 0), pending("low", 0.5, 0));
    PendingDecisions.Settled first = PendingDecisions.settle(policy, 2, 0, waiting, 1_000, 5_000);
    assertThat(first.accepted()).containsExactly(waiting.get(0));
    assertThat(first.rejected()).containsExactly(waiting.get(2));
    assertThat(first.threshold()).isEqualTo(0.8);
    assertThat(policy.decidedTokens()).isEqualTo(20);
    assertThat(policy.acceptedTokens()).isEqualTo(10);
    // after the max-hold the threshold decides: .8 is the threshold, and the 20 % above it (.81
    // to 1.00) are the whole fraction, so none of the tie at .8 is due
    PendingDecisions.Settled late =
        PendingDecisions.settle(policy, 2, 0, List.of(waiting.get(1)), 5_000, 5_000);
    assertThat(late.rejected()).containsExactly(waiting.get(1));
    assertThat(policy.decidedTokens()).isEqualTo(30);
  }

  @Test
  void whileTheWholeStreamWarmsUpOnlyTheMaxHoldDecides() {
    FractionPolicy policy = hundred(0.2);
    List<PendingDecisions.Pending> waiting =
        List.of(pending("high", 0.95, 0), pending("low", 0.5, 0));
    assertThat(PendingDecisions.settle(policy, 2, 101, waiting, 1_000, 5_000).isEmpty()).isTrue();
    PendingDecisions.Settled late = PendingDecisions.settle(policy, 2, 101, waiting, 5_000, 5_000);
    assertThat(late.accepted()).containsExactly(waiting.get(0));
    assertThat(late.rejected()).containsExactly(waiting.get(1));
    assertThat(PendingDecisions.settle(policy, 2, 100, waiting, 1_000, 5_000).isEmpty())
        .as("warm at 100 documents")
        .isFalse();
  }

  @Test
  void aVersionsEndDecidesEverythingByTheThreshold() {
    FractionPolicy policy = hundred(0.5);
    PendingDecisions.Settled settled =
        PendingDecisions.settleAll(
            policy, List.of(pending("a", 0.51, 0), pending("b", 0.5, 0), pending("c", 0.49, 0)));
    // the median of .01-1.00 is .50, and the half above it is the whole fraction
    assertThat(settled.accepted()).extracting(PendingDecisions.Pending::docId).containsExactly("a");
    assertThat(settled.rejected())
        .extracting(PendingDecisions.Pending::docId)
        .containsExactly("b", "c");
  }

  @Test
  void aPassOverEveryPendingDocumentIsDueOnceTheStreamGrewBy1In64() {
    assertThat(PendingDecisions.passDue(640, 0)).isTrue();
    assertThat(PendingDecisions.passDue(649, 640)).isFalse();
    assertThat(PendingDecisions.passDue(650, 640)).isTrue();
  }
}
