package io.nagselector.nag;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The fraction rule over whole streams in random orders, as the job applies it ({@link
 * FractionRule} per shard, documents keyed to shards by id, one sketch fed by every document).
 * Compared with the paper's batch rule over the same documents: the accepted token share, precision
 * and recall, over many seeds.
 */
class FractionStreamSimulationTest {
  private static final double FRACTION = 0.2;

  /** Share, precision and recall of one stream. */
  private record Run(double share, double precision, double recall) {}

  /** 6 domains of similarities around 0.55-0.65 (a NAG similarity's scale), 20-150 tokens. */
  static Run stream(long seed, int n, int shards, int warmUp) {
    Random rnd = new Random(seed);
    String[] ids = new String[n];
    double[] sims = new double[n];
    long[] tokens = new long[n];
    double[] distances = new double[n];
    Map<String, Integer> index = new HashMap<>();
    for (int i = 0; i < n; i++) {
      ids[i] = String.format("doc-%04d", i);
      sims[i] = 0.55 + 0.02 * (i % 6) + 0.03 * rnd.nextGaussian();
      tokens[i] = 20 + rnd.nextInt(130);
      distances[i] = 1 - sims[i];
      index.put(ids[i], i);
    }
    Set<Integer> batch = new HashSet<>();
    for (int i : BudgetSelection.select(distances, ids, false, tokens, FRACTION)) {
      batch.add(i);
    }
    List<Integer> order = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      order.add(i);
    }
    Collections.shuffle(order, rnd);
    FractionPolicy policy = new FractionPolicy(FRACTION);
    int[] left = new int[shards];
    Arrays.fill(left, warmUp);
    List<List<FractionPolicy.Scored>> held = new ArrayList<>();
    for (int s = 0; s < shards; s++) {
      held.add(new ArrayList<>());
    }
    Set<Integer> accepted = new HashSet<>();
    long total = 0;
    long acceptedTokens = 0;
    for (int i : order) {
      int shard = Math.floorMod(ids[i].hashCode(), shards); // as ScoreAndSelect.shard
      policy.observe(sims[i], tokens[i]);
      total += tokens[i];
      FractionPolicy.Scored doc = new FractionPolicy.Scored(ids[i], sims[i], tokens[i]);
      FractionRule.Outcome outcome =
          FractionRule.offer(policy, FRACTION, left[shard], doc, held.get(shard));
      List<FractionPolicy.Scored> chosen = List.of();
      if (outcome instanceof FractionRule.Held) {
        held.get(shard).add(doc);
        left[shard]--;
      } else if (outcome instanceof FractionRule.WarmUpDecided decided) {
        left[shard] = 0;
        chosen = decided.accepted();
      } else if (((FractionRule.Decided) outcome).accepted()) {
        chosen = List.of(doc);
      }
      for (FractionPolicy.Scored a : chosen) {
        accepted.add(index.get(a.docId()));
        acceptedTokens += a.tokens();
      }
    }
    Set<Integer> agreed = new HashSet<>(accepted);
    agreed.retainAll(batch);
    return new Run(
        (double) acceptedTokens / total,
        (double) agreed.size() / accepted.size(),
        (double) agreed.size() / batch.size());
  }

  private static Run mean(int n, int shards, int warmUp, int seeds) {
    double share = 0;
    double precision = 0;
    double recall = 0;
    double low = 1;
    double high = 0;
    for (int seed = 0; seed < seeds; seed++) {
      Run r = stream(seed, n, shards, warmUp);
      share += r.share() / seeds;
      precision += r.precision() / seeds;
      recall += r.recall() / seeds;
      low = Math.min(low, r.share());
      high = Math.max(high, r.share());
    }
    System.out.printf(
        "%d documents, %d shards x warm-up %d, %d orders: accepted share %.4f (%.4f-%.4f),"
            + " precision %.4f, recall %.4f%n",
        n, shards, warmUp, seeds, share, low, high, precision, recall);
    return new Run(share, precision, recall);
  }

  @Test
  void theStreamFillsTheBudgetOnAverageInTheIssuesSetup() {
    // `run` with 4 shards and a warm-up of 40, 900 documents: every shard's warm-up floored its
    // budget, and the stream's mean share was 0.1974
    Run run = mean(900, 4, 40, 200);
    assertThat(run.share()).isBetween(FRACTION - 0.002, FRACTION + 0.002);
  }

  @Test
  void longerStreamsAgreeWithTheBatchRule() {
    Run run = mean(3000, 4, 40, 100);
    assertThat(run.share()).isBetween(FRACTION - 0.005, FRACTION + 0.005);
    assertThat(run.precision()).isGreaterThanOrEqualTo(0.97);
    assertThat(run.recall()).isGreaterThanOrEqualTo(0.97);
  }
}
