package io.nagselector.select;

/**
 * A shard's decision on one document for a fraction target, sent to the target's whole-stream rule
 * ({@link SettleFractions}) so that its quantile sees every document: the target version, its
 * fraction, the document's similarity and tokens, and whether the shard accepted it.
 */
public record FractionVote(
    String target,
    int version,
    double fraction,
    double similarity,
    long tokens,
    boolean accepted) {}
