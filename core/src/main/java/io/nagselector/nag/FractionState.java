package io.nagselector.nag;

/** A target's running fraction rule as one shard sees it (a {@link FractionPolicy}, or a view). */
public interface FractionState {
  /** Adds a scored document to the running quantile. */
  void observe(double similarity, long tokens);

  /** The similarity a document needs now (NaN before anything was observed). */
  double threshold();

  /** Whether a document of this similarity is accepted now. */
  boolean accepts(String docId, double similarity);

  /**
   * What the rule can say of a document now, with the band {@code sigmas} standard errors wide
   * ({@link FractionPolicy#verdict}).
   */
  FractionPolicy.Verdict verdict(String docId, double similarity, double sigmas);

  /** Counts a decided document's tokens, and whether it was accepted. */
  void decided(long tokens, boolean accepted);

  /** The token weight observed so far. */
  long observedTokens();

  /** The documents observed so far (those with tokens). */
  long observedDocuments();

  /** The share of the decided tokens that were accepted (NaN before any decision). */
  double acceptedShare();
}
