package io.nagselector.nag;

import org.apache.datasketches.kll.KllDoublesSketch;
import org.apache.datasketches.memory.Memory;
import org.apache.datasketches.quantilescommon.QuantileSearchCriteria;

/**
 * Streaming form of the paper's fraction rule for one target: accept a document when its similarity
 * is above the running token-weighted (1 - fraction) quantile of the similarities observed so far
 * (a KLL sketch weighted by tokens), and a fair share of those exactly at it. The job keeps one per
 * target and parallel instance, fed by all of that instance's shards, so the quantile is estimated
 * from as many documents as possible; sketches of several instances merge (on rescaling). Until the
 * target's stream has had its warm-up's documents, the target's whole stream holds them and then
 * decides them together ({@link FractionRule}, {@link PendingDecisions}), so nothing is admitted or
 * lost before the sketch means something. It also counts the tokens decided and accepted, the share
 * a user checks the budget with.
 */
public final class FractionPolicy implements FractionState {
  /** A scored document waiting for, or receiving, a decision. */
  public record Scored(String docId, double similarity, long tokens) {}

  /**
   * What the rule can say of a document now: above the band the cut may lie in (accept), below it
   * (reject), or inside it (undecided: held until more observations narrow the band).
   */
  public enum Verdict {
    ACCEPT,
    REJECT,
    UNDECIDED
  }

  /**
   * The similarities between which the cut of the whole stream lies, by {@code sigmas} standard
   * errors of the running quantile's rank (and the sketch's own rank error).
   */
  public record Band(double lower, double upper) {}

  /** Tokens assumed per document observed before the squared tokens were kept (savepoint v4). */
  static final long UNKNOWN_TOKENS_PER_DOCUMENT = 512;

  /** KLL accuracy: about 0.3 % normalized rank error (k = 200 would give 1.3 %). */
  static final int SKETCH_K = 1000;

  /** The threshold is recomputed once the observations since it grew by this share. */
  private static final int REFRESH_DIVISOR = 1024;

  private final double fraction;
  private final KllDoublesSketch sketch;
  private long observations;
  private long sinceRefresh;
  private boolean stale = true;
  private double threshold = Double.NaN;
  private double tieShare = 1.0;
  private double bandSigmas = Double.NaN;
  private Band band;
  private long squaredTokens;
  private long acceptedTokens;
  private long decidedTokens;

  public FractionPolicy(double fraction) {
    this(fraction, KllDoublesSketch.newHeapInstance(SKETCH_K));
    BudgetSelection.checkFraction(fraction, "fraction");
  }

  private FractionPolicy(double fraction, KllDoublesSketch sketch) {
    this.fraction = fraction;
    this.sketch = sketch;
  }

  /**
   * Counts a decided document's tokens, and whether it was accepted (by the warm-up or the
   * threshold). Documents held in a warm-up count when the warm-up decides them, not before.
   */
  @Override
  public void decided(long tokens, boolean accepted) {
    decidedTokens += tokens;
    if (accepted) {
      acceptedTokens += tokens;
    }
  }

  public long acceptedTokens() {
    return acceptedTokens;
  }

  public long decidedTokens() {
    return decidedTokens;
  }

  /** The share of the decided tokens that were accepted (NaN before any decision). */
  public double acceptedShare() {
    return decidedTokens == 0 ? Double.NaN : (double) acceptedTokens / decidedTokens;
  }

  /** Adds a scored document to the running quantile (documents without tokens weigh nothing). */
  @Override
  public void observe(double similarity, long tokens) {
    if (tokens > 0) {
      sketch.update(similarity, tokens);
      squaredTokens += tokens * tokens;
      observations++;
      sinceRefresh++;
    }
  }

  /**
   * Above the threshold: yes; below: no; exactly at it (similarities tie often with small K), a
   * share of the tied documents chosen by a hash of their id, so that the accepted token mass stays
   * at the fraction instead of taking the whole tie. Nothing is accepted before anything was
   * observed.
   */
  @Override
  public boolean accepts(String docId, double similarity) {
    double q = threshold();
    if (Double.isNaN(q) || similarity < q) {
      return false;
    }
    return similarity > q || unitHash(docId) < tieShare;
  }

  /**
   * The similarity a document needs now (NaN before any token was observed). Recomputing the
   * quantile costs a pass over the sketch, so it is refreshed only once the observations since the
   * last refresh exceed 1/1024 of all: the rank it stands for moves by less than that meanwhile.
   */
  @Override
  public double threshold() {
    if (sketch.isEmpty()) {
      return Double.NaN;
    }
    if (stale || (sinceRefresh > 0 && sinceRefresh * REFRESH_DIVISOR >= observations)) {
      threshold = sketch.getQuantile(1.0 - fraction, QuantileSearchCriteria.INCLUSIVE);
      double atOrBelow = sketch.getRank(threshold, QuantileSearchCriteria.INCLUSIVE);
      double below = sketch.getRank(threshold, QuantileSearchCriteria.EXCLUSIVE);
      double tie = atOrBelow - below;
      tieShare = tie <= 0 ? 1.0 : (fraction - (1.0 - atOrBelow)) / tie;
      sinceRefresh = 0;
      stale = false;
      band = null;
    }
    return threshold;
  }

  /**
   * The documents the token-weighted quantile was estimated from, as if they weighed the same: (sum
   * of tokens)^2 / sum of squared tokens.
   */
  public double effectiveDocuments() {
    return squaredTokens == 0 ? 0 : (double) sketch.getN() * sketch.getN() / squaredTokens;
  }

  /**
   * Where the whole stream's cut lies, by {@code sigmas} standard errors of the running quantile:
   * after n documents its rank errs by about sqrt(f (1 - f) / n), plus the sketch's rank error.
   * Refreshed with the threshold; null before anything was observed.
   */
  public Band band(double sigmas) {
    if (Double.isNaN(threshold()) || effectiveDocuments() == 0) {
      return null;
    }
    if (band == null || sigmas != bandSigmas) {
      double rank = 1.0 - fraction;
      double error =
          sigmas * Math.sqrt(fraction * (1 - fraction) / effectiveDocuments())
              + sketch.getNormalizedRankError(false);
      band =
          new Band(
              sketch.getQuantile(Math.max(0, rank - error), QuantileSearchCriteria.INCLUSIVE),
              sketch.getQuantile(Math.min(1, rank + error), QuantileSearchCriteria.INCLUSIVE));
      bandSigmas = sigmas;
    }
    return band;
  }

  /**
   * Accept above the band, reject below it, undecided inside it; with {@code sigmas} 0, {@link
   * #accepts} decides every document. Undecided before anything was observed.
   */
  @Override
  public Verdict verdict(String docId, double similarity, double sigmas) {
    if (sigmas == 0) {
      return accepts(docId, similarity) ? Verdict.ACCEPT : Verdict.REJECT;
    }
    Band b = band(sigmas);
    if (b == null) {
      return Verdict.UNDECIDED;
    }
    if (similarity > b.upper()) {
      return Verdict.ACCEPT;
    }
    return similarity < b.lower() ? Verdict.REJECT : Verdict.UNDECIDED;
  }

  /** Adds another instance's observations (same target version). */
  public void merge(FractionPolicy other) {
    sketch.merge(other.sketch);
    observations += other.observations;
    squaredTokens += other.squaredTokens;
    acceptedTokens += other.acceptedTokens;
    decidedTokens += other.decidedTokens;
    stale = true;
  }

  public double fraction() {
    return fraction;
  }

  @Override
  public long observedTokens() {
    return sketch.getN();
  }

  /** The documents observed (those with tokens). */
  @Override
  public long observedDocuments() {
    return observations;
  }

  /** A new policy with the same fraction and the observations of this one. */
  public FractionPolicy copy() {
    FractionPolicy copy = new FractionPolicy(fraction);
    copy.merge(this);
    return copy;
  }

  /** A stable pseudo-random number in [0, 1) from a doc id. */
  static double unitHash(String docId) {
    long h = docId.hashCode() * 0x9E3779B97F4A7C15L;
    h ^= h >>> 32;
    h *= 0xD6E8FEB86659FD93L;
    h ^= h >>> 32;
    return (h >>> 11) * 0x1.0p-53;
  }

  /** The sketch in DataSketches' own versioned binary format (for checkpoints). */
  public byte[] sketchBytes() {
    return sketch.toByteArray();
  }

  public long squaredTokens() {
    return squaredTokens;
  }

  /**
   * A policy of {@code fraction} over a sketch that {@link #sketchBytes} wrote, with the tokens
   * decided and accepted so far, the sum of the observed documents' squared tokens, and how many
   * documents were observed; null when unknown (a checkpoint from before they were kept): the
   * counts then start at this restore, the observed documents are taken to weigh {@value
   * #UNKNOWN_TOKENS_PER_DOCUMENT} tokens each, which can only widen the band, and their number is
   * the effective one.
   */
  public static FractionPolicy of(
      double fraction,
      byte[] sketchBytes,
      Long decidedTokens,
      Long acceptedTokens,
      Long squaredTokens,
      Long observedDocuments) {
    FractionPolicy policy =
        new FractionPolicy(fraction, KllDoublesSketch.heapify(Memory.wrap(sketchBytes)));
    if (decidedTokens != null && acceptedTokens != null) {
      policy.decidedTokens = decidedTokens;
      policy.acceptedTokens = acceptedTokens;
    }
    policy.squaredTokens =
        squaredTokens != null ? squaredTokens : policy.sketch.getN() * UNKNOWN_TOKENS_PER_DOCUMENT;
    policy.observations =
        observedDocuments != null ? observedDocuments : Math.round(policy.effectiveDocuments());
    return policy;
  }
}
