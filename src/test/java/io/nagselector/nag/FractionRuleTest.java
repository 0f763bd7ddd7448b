package io.nagselector.nag;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * One shard's fraction rule: warm-up boundaries, the threshold after it, the tie share (with a band
 * of 0, every document decided on arrival), and the band that leaves documents near the cut
 * undecided.
 */
class FractionRuleTest {
  private static FractionPolicy.Scored doc(String id, double sim, long tokens) {
    return new FractionPolicy.Scored(id, sim, tokens);
  }

  @Test
  void holdsUntilTheLastWarmUpPlaceThenDecidesThemAllByTheThresholdInForce() {
    FractionPolicy policy = new FractionPolicy(0.25);
    List<FractionPolicy.Scored> held = new ArrayList<>();
    FractionPolicy.Scored a = doc("a", 0.9, 10);
    FractionPolicy.Scored b = doc("b", 0.2, 10);
    FractionPolicy.Scored c = doc("c", 0.7, 10);
    assertThat(FractionRule.offer(policy, 0, 4, a, held)).isEqualTo(new FractionRule.Held());
    held.add(a);
    assertThat(FractionRule.offer(policy, 0, 3, b, held)).isEqualTo(new FractionRule.Held());
    held.add(b);
    assertThat(FractionRule.offer(policy, 0, 2, c, held)).isEqualTo(new FractionRule.Held());
    held.add(c);
    assertThat(policy.decidedTokens()).as("held documents are not decided yet").isZero();
    // the fourth completes the warm-up: .2 .4 .7 .9, 10 tokens each; the 0.75 quantile is .7, and
    // none of .7 is due (.9 alone is the quarter): .9 only, as the batch rule would take
    FractionRule.Outcome fourth = FractionRule.offer(policy, 0, 1, doc("d", 0.4, 10), held);
    assertThat(fourth)
        .isEqualTo(
            new FractionRule.WarmUpDecided(
                List.of(a), List.of(b, c, doc("d", 0.4, 10)), List.of(), 0.7));
    assertThat(policy.observedTokens()).isEqualTo(40);
    assertThat(policy.decidedTokens()).isEqualTo(40);
    assertThat(policy.acceptedTokens()).isEqualTo(10);
  }

  @Test
  void aWarmUpIsDecidedByEverythingTheQuantileSawNotOnlyItsOwnDocuments() {
    FractionPolicy policy = new FractionPolicy(0.5);
    for (int i = 1; i <= 10; i++) {
      policy.observe(i / 10.0, 10); // other shards' documents, .1 to 1.0
    }
    // alone, .35 would be the better half of {.35, .05}; with the others the median is .5
    FractionPolicy.Scored last = doc("z", 0.35, 10);
    FractionRule.Outcome outcome =
        FractionRule.offer(policy, 0, 1, last, List.of(doc("y", 0.05, 10)));
    assertThat(outcome)
        .isEqualTo(
            new FractionRule.WarmUpDecided(
                List.of(), List.of(doc("y", 0.05, 10), last), List.of(), 0.5));
  }

  @Test
  void afterTheWarmUpTheThresholdInForceDecides() {
    FractionPolicy policy = new FractionPolicy(0.5);
    FractionPolicy.Scored a = doc("a", 0.8, 10);
    FractionPolicy.Scored b = doc("b", 0.4, 10);
    assertThat(FractionRule.offer(policy, 0, 2, b, List.of())).isEqualTo(new FractionRule.Held());
    // .4 .8: the median is .4, and none of it is due (.8 is the half)
    assertThat(FractionRule.offer(policy, 0, 1, a, List.of(b)))
        .isEqualTo(new FractionRule.WarmUpDecided(List.of(a), List.of(b), List.of(), 0.4));
    // .4 .8 .9: the median is .8
    FractionRule.Outcome above = FractionRule.offer(policy, 0, 0, doc("c", 0.9, 10), List.of());
    assertThat(above).isEqualTo(new FractionRule.Decided(FractionPolicy.Verdict.ACCEPT, 0.8));
    assertThat(policy.acceptedTokens()).isEqualTo(20);
    assertThat(policy.acceptedShare()).isEqualTo(20.0 / 30);
    // .4 .5 .8 .9: the median is .5, none of it due
    FractionRule.Outcome below = FractionRule.offer(policy, 0, 0, doc("d", 0.5, 10), List.of());
    assertThat(below).isEqualTo(new FractionRule.Decided(FractionPolicy.Verdict.REJECT, 0.5));
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
