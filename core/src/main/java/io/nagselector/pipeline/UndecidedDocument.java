package io.nagselector.pipeline;

/**
 * A document left undecided, in {@code select.SettleFractions}' keyed state (its record is kept
 * apart): the target version, similarity, tokens, when it was held, and what its shard's threshold
 * said. Stored by Flink's record serializer: a field may be added, none renamed or retyped.
 */
public record UndecidedDocument(
    int version, double similarity, long tokens, long heldAt, boolean shardAccepts) {}
