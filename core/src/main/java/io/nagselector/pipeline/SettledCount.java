package io.nagselector.pipeline;

/**
 * How many documents a fraction target's whole-stream rule accepted for one target version, beside
 * the shards' own counts: sent to the top-k merge, which keeps the latest in state (Flink's record
 * serializer: a field may be added, none renamed or retyped).
 */
public record SettledCount(String target, int version, long accepted) {}
