package io.nagselector.nag;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** One shard's fraction rule: warm-up boundaries, the threshold after it, the tie share. */
class FractionRuleTest {
  private static FractionPolicy.Scored doc(String id, double sim, long tokens) {
    return new FractionPolicy.Scored(id, sim, tokens);
  }

  @Test
  void holdsUntilTheLastWarmUpPlaceThenDecidesThemAllWithTheWarmUpRule() {
    FractionPolicy policy = new FractionPolicy(0.5);
    List<FractionPolicy.Scored> held = new ArrayList<>();
    FractionPolicy.Scored a = doc("a", 0.9, 10);
    FractionPolicy.Scored b = doc("b", 0.2, 10);
    assertThat(FractionRule.offer(policy, 0.5, 3, a, held)).isEqualTo(new FractionRule.Held());
    held.add(a);
    assertThat(FractionRule.offer(policy, 0.5, 2, b, held)).isEqualTo(new FractionRule.Held());
    held.add(b);
    assertThat(policy.decidedTokens()).as("held documents are not decided yet").isZero();
    // the third completes the warm-up: budget 0.5 x 30 = 15 -> a (10); c would end at 20, 5 over
    // where leaving it is 5 under: not nearer, left
    FractionRule.Outcome third = FractionRule.offer(policy, 0.5, 1, doc("c", 0.6, 10), held);
    assertThat(third).isEqualTo(new FractionRule.WarmUpDecided(List.of(a)));
    assertThat(policy.observedTokens()).isEqualTo(30);
    assertThat(policy.decidedTokens()).isEqualTo(30);
    assertThat(policy.acceptedTokens()).isEqualTo(10);
  }

  @Test
  void theWarmUpIncludesTheDocumentThatCompletesIt() {
    FractionPolicy policy = new FractionPolicy(0.5);
    FractionPolicy.Scored last = doc("z", 0.95, 10);
    FractionRule.Outcome outcome =
        FractionRule.offer(policy, 0.5, 1, last, List.of(doc("y", 0.1, 10)));
    assertThat(outcome).isEqualTo(new FractionRule.WarmUpDecided(List.of(last)));
  }

  @Test
  void afterTheWarmUpTheThresholdInForceDecides() {
    FractionPolicy policy = new FractionPolicy(0.5);
    FractionRule.offer(policy, 0.5, 1, doc("a", 0.8, 10), List.of(doc("b", 0.4, 10)));
    // the sketch holds what was offered here: .8 (b was held before), now .9; its median is .8
    FractionRule.Outcome above = FractionRule.offer(policy, 0.5, 0, doc("c", 0.9, 10), List.of());
    assertThat(above).isEqualTo(new FractionRule.Decided(true, 0.8));
    assertThat(policy.acceptedTokens()).isEqualTo(20);
    assertThat(policy.acceptedShare()).isEqualTo(20.0 / 30);
    // .5, .8, .9: the median is .8
    FractionRule.Outcome below = FractionRule.offer(policy, 0.5, 0, doc("d", 0.5, 10), List.of());
    assertThat(below).isEqualTo(new FractionRule.Decided(false, 0.8));
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
