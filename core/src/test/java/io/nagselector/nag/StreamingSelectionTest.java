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

  /**
   * How the job composes the policy on one shard and instance: the warm-up held, then decided
   * together by the quantile in force (as the whole stream's rule does), then each on arrival.
   */
  private static Set<String> streamed(List<FractionPolicy.Scored> docs, double f, int warmUp) {
    FractionPolicy policy = new FractionPolicy(f);
    List<FractionPolicy.Scored> held = new ArrayList<>();
    Set<String> accepted = new HashSet<>();
    for (FractionPolicy.Scored d : docs) {
      FractionRule.Outcome outcome = FractionRule.offer(policy, 0, warmUp, d);
      if (outcome instanceof FractionRule.WarmingUp) {
        held.add(d);
        continue;
      }
      for (FractionPolicy.Scored h : held) {
        if (policy.accepts(h.docId(), h.similarity())) {
          accepted.add(h.docId());
        }
      }
      held.clear();
      if (((FractionRule.Decided) outcome).verdict() == FractionPolicy.Verdict.ACCEPT) {
        accepted.add(d.docId());
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
            odd.fraction(),
            odd.sketchBytes(),
            odd.decidedTokens(),
            odd.acceptedTokens(),
            odd.squaredTokens(),
            odd.observedDocuments());
    assertThat(read.observedDocuments()).isEqualTo(150);
    assertThat(read.effectiveDocuments()).isEqualTo(150.0);
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
