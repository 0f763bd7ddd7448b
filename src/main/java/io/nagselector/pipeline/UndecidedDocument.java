package io.nagselector.pipeline;

import io.nagselector.select.SettleFractions;

/**
 * A document left undecided, in {@link SettleFractions}' keyed state (its record is kept apart):
 * the target version, similarity, tokens, when it was held, and what its shard's threshold said.
 * Stored by Flink's record serializer: a field may be added, none renamed or retyped.
 */
public record UndecidedDocument(
    int version, double similarity, long tokens, long heldAt, boolean shardAccepts) {}
