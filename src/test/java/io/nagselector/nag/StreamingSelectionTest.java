package io.nagselector.nag;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The streaming fraction rule and the running top-k, against the batch rule. */
class StreamingSelectionTest {

  private static List<FractionPolicy.Scored> stream(Random rnd, int n) {
    List<FractionPolicy.Scored> docs = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      double sim = Math.pow(rnd.nextDouble(), 3) * 0.6;
      docs.add(new FractionPolicy.Scored(String.format("d%06d", i), sim, 1 + rnd.nextInt(500)));
    }
    return docs;
  }

  /** How the job composes the policy: hold the warm-up, decide it as a batch, then stream. */
  private static Set<String> streamed(List<FractionPolicy.Scored> docs, double f, int warmUp) {
    FractionPolicy policy = new FractionPolicy(f);
    List<FractionPolicy.Scored> held = new ArrayList<>();
    Set<String> accepted = new HashSet<>();
    for (FractionPolicy.Scored d : docs) {
      policy.observe(d.similarity(), d.tokens());
      if (held.size() < warmUp) {
        held.add(d);
        if (held.size() == warmUp) {
          List<FractionPolicy.Scored> chosen = FractionPolicy.decideWarmUp(held, f);
          held.forEach(h -> policy.decided(h.tokens(), chosen.contains(h)));
          chosen.forEach(a -> accepted.add(a.docId()));
        }
      } else {
        boolean accepts = policy.accepts(d.docId(), d.similarity());
        policy.decided(d.tokens(), accepts);
        if (accepts) {
          accepted.add(d.docId());
        }
      }
    }
    return accepted;
  }

  @Test
  void afterWarmUpTheStreamAgreesWithTheBatchRule() {
    Random rnd = new Random(4);
    List<FractionPolicy.Scored> docs = stream(rnd, 20_000);
    Set<String> streamed = streamed(docs, 0.2, 1000);
    double[] distances = docs.stream().mapToDouble(d -> 1 - d.similarity()).toArray();
    String[] ids = docs.stream().map(FractionPolicy.Scored::docId).toArray(String[]::new);
    long[] tokens = docs.stream().mapToLong(FractionPolicy.Scored::tokens).toArray();
    Set<String> batch = new HashSet<>();
    for (int i : BudgetSelection.select(distances, ids, false, tokens, 0.2)) {
      if (i >= 1000) {
        batch.add(ids[i]);
      }
    }
    Set<String> streamedAfterWarmUp = new HashSet<>();
    for (int i = 1000; i < docs.size(); i++) {
      if (streamed.contains(ids[i])) {
        streamedAfterWarmUp.add(ids[i]);
      }
    }
    Set<String> both = new HashSet<>(batch);
    both.retainAll(streamedAfterWarmUp);
    assertThat((double) both.size() / batch.size()).as("recall").isGreaterThanOrEqualTo(0.95);
    assertThat((double) both.size() / streamedAfterWarmUp.size())
        .as("precision")
        .isGreaterThanOrEqualTo(0.95);
  }

  @Test
  void theWarmUpIsDecidedWithTheBatchRuleThenTheSketchDecides() {
    List<FractionPolicy.Scored> held =
        List.of(
            new FractionPolicy.Scored("a", 0.1, 10),
            new FractionPolicy.Scored("b", 0.9, 10),
            new FractionPolicy.Scored("c", 0.5, 10));
    // batch rule on {a .1, b .9, c .5} with 30 tokens at 0.5: budget 15 -> b only
    assertThat(FractionPolicy.decideWarmUp(held, 0.5))
        .extracting(FractionPolicy.Scored::docId)
        .containsExactly("b");
    FractionPolicy policy = new FractionPolicy(0.5);
    held.forEach(d -> policy.observe(d.similarity(), d.tokens()));
    policy.decided(10, false); // a
    policy.decided(10, true); // b
    policy.decided(10, false); // c
    assertThat(policy.acceptedShare()).isEqualTo(10.0 / 30);
    // the sketch holds .1, .5, .9 (10 tokens each): the median is .5
    assertThat(policy.threshold()).isEqualTo(0.5);
    assertThat(policy.accepts("d", 0.7)).isTrue();
    assertThat(policy.accepts("e", 0.2)).isFalse();
  }

  @Test
  void tiesAtTheThresholdAreSharedToKeepTheFraction() {
    FractionPolicy policy = new FractionPolicy(0.25);
    Random rnd = new Random(6);
    long acceptedTokens = 0;
    long allTokens = 0;
    for (int i = 0; i < 20_000; i++) {
      double sim = rnd.nextInt(4) * 0.25; // four tied levels of equal mass
      policy.observe(sim, 10);
      allTokens += 10;
      boolean accepts = policy.accepts("d" + i, sim);
      policy.decided(10, accepts);
      if (accepts) {
        acceptedTokens += 10;
      }
    }
    // "at or above the quantile" would take half of the tokens; sharing the tie keeps ~ 25 %
    assertThat((double) acceptedTokens / allTokens).isBetween(0.22, 0.28);
  }

  @Test
  void theWarmUpTakesTheBoundaryDocumentWhenThatEndsNearerTheBudget() {
    List<FractionPolicy.Scored> held =
        List.of(
            new FractionPolicy.Scored("a", 0.9, 10),
            new FractionPolicy.Scored("b", 0.8, 10),
            new FractionPolicy.Scored("c", 0.7, 10),
            new FractionPolicy.Scored("d", 0.6, 10));
    // budget 0.35 x 40 = 14: a fits (10); b would end at 20, 6 over where leaving it is 4 under
    assertThat(FractionPolicy.decideWarmUp(held, 0.35))
        .extracting(FractionPolicy.Scored::docId)
        .containsExactly("a");
    // budget 0.45 x 40 = 18: b ends at 20, 2 over where leaving it is 8 under (the paper's floor
    // rule, applied to every shard, stopped at a: each warm-up under its budget)
    assertThat(FractionPolicy.decideWarmUp(held, 0.45))
        .extracting(FractionPolicy.Scored::docId)
        .containsExactly("a", "b");
    // the first is kept even when it alone is over
    assertThat(FractionPolicy.decideWarmUp(held, 0.1))
        .extracting(FractionPolicy.Scored::docId)
        .containsExactly("a");
  }

  @Test
  void theThresholdIsTheTokenWeightedQuantileAndTheShareIsCounted() {
    FractionPolicy policy = new FractionPolicy(0.2);
    for (int i = 1; i <= 100; i++) {
      policy.observe(i / 100.0, 10); // 1,000 tokens: exact quantiles below the sketch's k
    }
    assertThat(policy.threshold()).isEqualTo(0.80);
    assertThat(policy.acceptedShare()).isNaN();
    policy.decided(900, false);
    policy.decided(100, true);
    assertThat(policy.acceptedShare()).isEqualTo(0.1);
    assertThat(policy.threshold()).as("the share does not move the threshold").isEqualTo(0.80);
  }

  @Test
  void nothingIsAcceptedBeforeAnObservationThenTheRunningQuantileDecides() {
    FractionPolicy policy = new FractionPolicy(0.5);
    assertThat(policy.threshold()).isNaN();
    assertThat(policy.accepts("a", 1.0)).isFalse();
    policy.observe(0.3, 5);
    policy.observe(0.9, 5);
    // the median of {.3, .9} is .3: .9 is above it, .1 below
    assertThat(policy.accepts("b", 0.9)).isTrue();
    assertThat(policy.accepts("c", 0.1)).isFalse();
  }

  @Test
  void policiesMergeAndSurviveSerialization() throws Exception {
    FractionPolicy all = new FractionPolicy(0.2);
    FractionPolicy odd = new FractionPolicy(0.2);
    FractionPolicy even = new FractionPolicy(0.2);
    Random rnd = new Random(8);
    for (int i = 0; i < 150; i++) { // below the sketch's k: exact
      double sim = rnd.nextDouble();
      all.observe(sim, 3);
      (i % 2 == 0 ? even : odd).observe(sim, 3);
    }
    odd.merge(even);
    assertThat(odd.threshold()).isEqualTo(all.threshold());
    assertThat(odd.observedTokens()).isEqualTo(450);
    FractionPolicy read =
        FractionPolicy.of(
            odd.fraction(), odd.sketchBytes(), odd.decidedTokens(), odd.acceptedTokens());
    assertThat(read.threshold()).isEqualTo(all.threshold());
    assertThat(read.fraction()).isEqualTo(0.2);
    assertThat(read.copy().observedTokens()).isEqualTo(450);
  }

  @Test
  void topKKeepsTheBestAndMergesShards() {
    RunningTopK shard1 = new RunningTopK(2);
    RunningTopK shard2 = new RunningTopK(2);
    assertThat(shard1.offer(new RunningTopK.Entry("a", 0.5, 1, "u"))).isTrue();
    assertThat(shard1.offer(new RunningTopK.Entry("b", 0.7, 1, "u"))).isTrue();
    assertThat(shard1.offer(new RunningTopK.Entry("c", 0.1, 1, "u"))).isFalse();
    shard2.offer(new RunningTopK.Entry("d", 0.6, 1, "u"));
    shard2.offer(new RunningTopK.Entry("e", 0.7, 1, "u"));
    assertThat(shard1.best()).extracting(RunningTopK.Entry::docId).containsExactly("b", "a");
    assertThat(RunningTopK.merge(3, List.of(shard1.best(), shard2.best())))
        .extracting(RunningTopK.Entry::docId)
        .containsExactly("b", "e", "d");
    assertThatThrownBy(() -> new RunningTopK(0)).hasMessage("top-k size must be positive, got 0");
  }
}
