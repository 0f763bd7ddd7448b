package io.nagselector.nag;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.IntUnaryOperator;

/**
 * The fraction rule over a whole stream as the job applies it: documents keyed to shards by id,
 * each shard a {@link FractionRule} with its warm-up, one sketch per parallel instance fed by that
 * instance's shards. Compared with the paper's batch rule over the same documents.
 */
public final class FractionSimulation {
  /**
   * Many streams in random orders: the mean share, precision and recall, and the share's spread
   * (standard deviation, lowest and highest).
   */
  public record Summary(
      double share,
      double precision,
      double recall,
      double shareDeviation,
      double lowestShare,
      double highestShare,
      double lowestPrecision,
      double lowestRecall) {
    @Override
    public String toString() {
      return String.format(
          "accepted share %.4f (sd %.4f, %.4f-%.4f), precision %.3f (lowest %.3f), recall %.3f"
              + " (lowest %.3f)",
          share,
          shareDeviation,
          lowestShare,
          highestShare,
          precision,
          lowestPrecision,
          recall,
          lowestRecall);
    }
  }

  /** One scored document. */
  public record Doc(String id, double similarity, long tokens) {}

  /** The accepted token share, precision and recall against the batch rule, of one stream. */
  public record Run(double share, double precision, double recall) {}

  private final List<Doc> docs;
  private final double fraction;
  private final Set<String> batch = new HashSet<>();
  private final long totalTokens;
  private final Map<String, Long> tokensById = new HashMap<>();

  public FractionSimulation(List<Doc> docs, double fraction) {
    this.docs = List.copyOf(docs);
    this.fraction = fraction;
    double[] distances = docs.stream().mapToDouble(d -> 1 - d.similarity()).toArray();
    String[] ids = docs.stream().map(Doc::id).toArray(String[]::new);
    long[] tokens = docs.stream().mapToLong(Doc::tokens).toArray();
    for (int i : BudgetSelection.select(distances, ids, false, tokens, fraction)) {
      batch.add(ids[i]);
    }
    docs.forEach(d -> tokensById.put(d.id(), d.tokens()));
    totalTokens = Arrays.stream(tokens).sum();
  }

  /** What the batch rule selects. */
  public Set<String> batch() {
    return batch;
  }

  /** A selection's share, precision and recall against the batch rule. */
  public Run score(Set<String> accepted) {
    long acceptedTokens = accepted.stream().mapToLong(tokensById::get).sum();
    Set<String> agreed = new HashSet<>(accepted);
    agreed.retainAll(batch);
    return new Run(
        (double) acceptedTokens / totalTokens,
        (double) agreed.size() / Math.max(1, accepted.size()),
        (double) agreed.size() / Math.max(1, batch.size()));
  }

  /** {@code orders} streams, each in a random order from {@code seed} on. */
  public Summary streams(int orders, long seed, int shards, int warmUp, IntUnaryOperator instance) {
    double[] shares = new double[orders];
    double precision = 0;
    double recall = 0;
    double lowestPrecision = 1;
    double lowestRecall = 1;
    for (int o = 0; o < orders; o++) {
      List<Integer> order = new ArrayList<>();
      for (int i = 0; i < docs.size(); i++) {
        order.add(i);
      }
      Collections.shuffle(order, new Random(seed + o));
      Run r =
          stream(order.stream().mapToInt(Integer::intValue).toArray(), shards, warmUp, instance);
      shares[o] = r.share();
      precision += r.precision() / orders;
      recall += r.recall() / orders;
      lowestPrecision = Math.min(lowestPrecision, r.precision());
      lowestRecall = Math.min(lowestRecall, r.recall());
    }
    double mean = Arrays.stream(shares).average().orElse(Double.NaN);
    double variance = Arrays.stream(shares).map(x -> (x - mean) * (x - mean)).sum() / orders;
    return new Summary(
        mean,
        precision,
        recall,
        Math.sqrt(variance),
        Arrays.stream(shares).min().orElse(Double.NaN),
        Arrays.stream(shares).max().orElse(Double.NaN),
        lowestPrecision,
        lowestRecall);
  }

  /**
   * The stream in {@code order} (positions in the documents), over {@code shards} shards with a
   * warm-up of {@code warmUp} each; {@code instance} maps a shard to its parallel instance.
   */
  public Run stream(int[] order, int shards, int warmUp, IntUnaryOperator instance) {
    return score(accepted(order, shards, warmUp, instance));
  }

  /** The documents the rule accepts in a stream in {@code order}, as {@link #stream}. */
  public Set<String> accepted(int[] order, int shards, int warmUp, IntUnaryOperator instance) {
    Map<Integer, FractionPolicy> sketches = new HashMap<>();
    int[] left = new int[shards];
    Arrays.fill(left, warmUp);
    List<List<FractionPolicy.Scored>> held = new ArrayList<>();
    for (int s = 0; s < shards; s++) {
      held.add(new ArrayList<>());
    }
    Set<String> accepted = new HashSet<>();
    for (int i : order) {
      Doc d = docs.get(i);
      int shard = Math.floorMod(d.id().hashCode(), shards); // as ScoreAndSelect.shard
      FractionPolicy sketch =
          sketches.computeIfAbsent(instance.applyAsInt(shard), k -> new FractionPolicy(fraction));
      FractionPolicy.Scored doc = new FractionPolicy.Scored(d.id(), d.similarity(), d.tokens());
      FractionRule.Outcome outcome = FractionRule.offer(sketch, left[shard], doc, held.get(shard));
      if (outcome instanceof FractionRule.Held) {
        held.get(shard).add(doc);
        left[shard]--;
      } else if (outcome instanceof FractionRule.WarmUpDecided decided) {
        left[shard] = 0;
        decided.accepted().forEach(a -> accepted.add(a.docId()));
      } else if (((FractionRule.Decided) outcome).accepted()) {
        accepted.add(d.id());
      }
    }
    return accepted;
  }
}
