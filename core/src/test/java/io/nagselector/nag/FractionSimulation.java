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
import java.util.stream.IntStream;

/**
 * The fraction rule over a whole stream as the job applies it: documents keyed to shards by id,
 * each shard a {@link FractionRule}, one sketch per parallel instance fed by that instance's
 * shards, and the target's whole-stream rule, which holds the warm-up and what the shards leave
 * undecided. Compared with the paper's batch rule over the same documents.
 */
public final class FractionSimulation {
  /**
   * Many streams in random orders: the mean share, precision and recall, the share's spread
   * (standard deviation, lowest and highest), and how many of the streams each met the goal of
   * issue 16 (a share within 0.5 points of the fraction, precision and recall at least 0.97).
   */
  public record Summary(
      double share,
      double precision,
      double recall,
      double shareDeviation,
      double lowestShare,
      double highestShare,
      double lowestPrecision,
      double lowestRecall,
      int streams,
      int onGoal) {
    @Override
    public String toString() {
      return String.format(
          "accepted share %.4f (sd %.4f, %.4f-%.4f), precision %.3f (lowest %.3f), recall %.3f"
              + " (lowest %.3f); %d of %d streams on goal",
          share,
          shareDeviation,
          lowestShare,
          highestShare,
          precision,
          lowestPrecision,
          recall,
          lowestRecall,
          onGoal,
          streams);
    }
  }

  /** Whether one stream met the goal: share within 0.5 points, precision and recall ≥ 0.97. */
  public boolean onGoal(Run r) {
    return Math.abs(r.share() - fraction) <= 0.005 && r.precision() >= 0.97 && r.recall() >= 0.97;
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
  public Summary streams(
      int orders, long seed, int shards, int warmUp, double sigmas, IntUnaryOperator instance) {
    double[] shares = new double[orders];
    double precision = 0;
    double recall = 0;
    double lowestPrecision = 1;
    double lowestRecall = 1;
    int onGoal = 0;
    // the orders are independent: run them on every core, then sum them in order
    Run[] runs =
        IntStream.range(0, orders)
            .parallel()
            .mapToObj(o -> stream(shuffled(seed + o), shards, warmUp, sigmas, instance))
            .toArray(Run[]::new);
    for (int o = 0; o < orders; o++) {
      Run r = runs[o];
      shares[o] = r.share();
      precision += r.precision() / orders;
      recall += r.recall() / orders;
      lowestPrecision = Math.min(lowestPrecision, r.precision());
      lowestRecall = Math.min(lowestRecall, r.recall());
      onGoal += onGoal(r) ? 1 : 0;
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
        lowestRecall,
        orders,
        onGoal);
  }

  /** The documents' positions, shuffled by a random of {@code seed}. */
  private int[] shuffled(long seed) {
    List<Integer> order = new ArrayList<>();
    for (int i = 0; i < docs.size(); i++) {
      order.add(i);
    }
    Collections.shuffle(order, new Random(seed));
    return order.stream().mapToInt(Integer::intValue).toArray();
  }

  /**
   * The stream in {@code order} (positions in the documents), over {@code shards} shards and a
   * warm-up of {@code warmUp} documents; {@code instance} maps a shard to its parallel instance.
   */
  public Run stream(int[] order, int shards, int warmUp, double sigmas, IntUnaryOperator instance) {
    return score(accepted(order, shards, warmUp, sigmas, instance));
  }

  /**
   * The documents the rule accepts in a stream in {@code order}, as {@link #stream}: each shard
   * decides what is clear of its instance's band of {@code sigmas}, and the target's whole-stream
   * rule ({@link PendingDecisions}) what the shards left undecided, in the same order; what is
   * still undecided when the stream ends is decided by the whole stream's threshold, as the job's
   * max-hold does when the stream is shorter than it.
   */
  public Set<String> accepted(
      int[] order, int shards, int warmUp, double sigmas, IntUnaryOperator instance) {
    Map<Integer, FractionPolicy> sketches = new HashMap<>();
    FractionPolicy whole = new FractionPolicy(fraction);
    List<PendingDecisions.Pending> pending = new ArrayList<>();
    double passedAt = 0;
    boolean warm = false;
    Set<String> accepted = new HashSet<>();
    for (int i : order) {
      Doc d = docs.get(i);
      int shard = Math.floorMod(d.id().hashCode(), shards); // as ScoreAndSelect.shard
      FractionPolicy sketch =
          sketches.computeIfAbsent(instance.applyAsInt(shard), k -> new FractionPolicy(fraction));
      FractionPolicy.Scored doc = new FractionPolicy.Scored(d.id(), d.similarity(), d.tokens());
      FractionRule.Outcome outcome = FractionRule.offer(sketch, sigmas, warmUp, doc);
      FractionPolicy.Verdict verdict =
          outcome instanceof FractionRule.Decided decided
              ? decided.verdict()
              : FractionPolicy.Verdict.UNDECIDED;
      whole.observe(doc.similarity(), doc.tokens());
      if (verdict != FractionPolicy.Verdict.UNDECIDED) {
        whole.decided(doc.tokens(), verdict == FractionPolicy.Verdict.ACCEPT);
        if (verdict == FractionPolicy.Verdict.ACCEPT) {
          accepted.add(doc.docId());
        }
      } else {
        PendingDecisions.Pending p =
            new PendingDecisions.Pending(doc.docId(), doc.similarity(), doc.tokens(), 0);
        PendingDecisions.Settled now =
            PendingDecisions.settle(whole, sigmas, warmUp, List.of(p), 0, Long.MAX_VALUE);
        now.accepted().forEach(a -> accepted.add(a.docId()));
        if (now.isEmpty()) {
          pending.add(p);
        }
      }
      boolean warmedUp = !warm && FractionRule.warm(whole, warmUp);
      if (warmedUp || PendingDecisions.passDue(whole.effectiveDocuments(), passedAt)) {
        warm = FractionRule.warm(whole, warmUp);
        settle(
            PendingDecisions.settle(whole, sigmas, warmUp, pending, 0, Long.MAX_VALUE),
            pending,
            accepted);
        passedAt = whole.effectiveDocuments();
      }
    }
    settle(PendingDecisions.settleAll(whole, pending), pending, accepted);
    return accepted;
  }

  private static void settle(
      PendingDecisions.Settled settled, List<PendingDecisions.Pending> pending, Set<String> into) {
    settled.accepted().forEach(a -> into.add(a.docId()));
    pending.removeAll(settled.accepted());
    pending.removeAll(settled.rejected());
  }
}
