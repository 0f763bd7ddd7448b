package io.nagselector.nag;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * One shard's fraction rule: the warm-up's boundary, the threshold after it, the tie share (with a
 * band of 0, every document decided on arrival), and the band that leaves documents near the cut
 * undecided.
 */
class FractionRuleTest {
  private static FractionPolicy.Scored doc(String id, double sim, long tokens) {
    return new FractionPolicy.Scored(id, sim, tokens);
  }

  @Test
  void untilTheInstancesQuantileSawTheWarmUpsDocumentsTheWholeStreamDecides() {
    FractionPolicy policy = new FractionPolicy(0.25);
    FractionPolicy.Scored a = doc("a", 0.9, 10);
    FractionPolicy.Scored b = doc("b", 0.2, 10);
    FractionPolicy.Scored c = doc("c", 0.7, 10);
    for (FractionPolicy.Scored d : List.of(a, b, c)) {
      assertThat(FractionRule.offer(policy, 0, 4, d)).isEqualTo(new FractionRule.WarmingUp());
    }
    assertThat(policy.observedDocuments()).isEqualTo(3);
    assertThat(policy.decidedTokens()).as("nothing is decided while warming up").isZero();
    // the fourth completes the warm-up: .2 .4 .7 .9, 10 tokens each; the 0.75 quantile is .7, and
    // none of .7 is due (.9 alone is the quarter)
    assertThat(FractionRule.offer(policy, 0, 4, doc("d", 0.4, 10)))
        .isEqualTo(new FractionRule.Decided(FractionPolicy.Verdict.REJECT, 0.7));
    assertThat(FractionRule.warm(policy, 4)).isTrue();
    assertThat(FractionRule.warm(policy, 5)).isFalse();
    assertThat(policy.decidedTokens()).isEqualTo(10);
  }

  @Test
  void documentsWithoutTokensDoNotCountTowardsTheWarmUp() {
    FractionPolicy policy = new FractionPolicy(0.5);
    FractionRule.offer(policy, 0, 2, doc("a", 0.9, 10));
    assertThat(FractionRule.offer(policy, 0, 2, doc("b", 0.9, 0)))
        .isEqualTo(new FractionRule.WarmingUp());
    assertThat(FractionRule.offer(policy, 0, 2, doc("c", 0.1, 10)))
        .isEqualTo(new FractionRule.Decided(FractionPolicy.Verdict.REJECT, 0.1));
  }

  @Test
  void afterTheWarmUpTheThresholdInForceDecides() {
    FractionPolicy policy = new FractionPolicy(0.5);
    policy.observe(0.4, 10);
    policy.observe(0.8, 10);
    // .4 .8 .9: the median is .8
    FractionRule.Outcome above = FractionRule.offer(policy, 0, 2, doc("c", 0.9, 10));
    assertThat(above).isEqualTo(new FractionRule.Decided(FractionPolicy.Verdict.ACCEPT, 0.8));
    assertThat(policy.acceptedTokens()).isEqualTo(10);
    // .4 .5 .8 .9: the median is .5, none of it due
    FractionRule.Outcome below = FractionRule.offer(policy, 0, 2, doc("d", 0.5, 10));
    assertThat(below).isEqualTo(new FractionRule.Decided(FractionPolicy.Verdict.REJECT, 0.5));
    assertThat(policy.acceptedShare()).isEqualTo(10.0 / 20);
  }

  @Test
  void withABandADocumentNearTheCutIsLeftUndecided() {
    FractionPolicy policy = new FractionPolicy(0.5);
    for (int i = 1; i <= 10; i++) {
      policy.observe(i / 10.0, 10);
    }
    assertThat(FractionRule.offer(policy, 2, 1, doc("near", 0.55, 10)))
        .isEqualTo(new FractionRule.Decided(FractionPolicy.Verdict.UNDECIDED, 0.55));
    assertThat(policy.decidedTokens()).isZero();
  }

  @Test
  void aTieAtTheThresholdIsSharedByAStableHash() {
    FractionPolicy policy = new FractionPolicy(0.5);
    for (int i = 0; i < 4; i++) {
      policy.observe(0.5, 10); // all tied: the median is .5 and half the tie is due
    }
    policy.decided(20, false);
    policy.decided(20, true); // 20 of 40 decided tokens accepted: on target
    assertThat(policy.threshold()).isEqualTo(0.5);
    int accepted = 0;
    for (int i = 0; i < 1000; i++) {
      accepted += policy.accepts("t" + i, 0.5) ? 1 : 0;
    }
    assertThat(accepted).isBetween(450, 550);
    assertThat(policy.accepts("t7", 0.5)).isEqualTo(policy.accepts("t7", 0.5));
  }
}
