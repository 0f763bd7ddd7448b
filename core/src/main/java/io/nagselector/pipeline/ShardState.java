package io.nagselector.pipeline;

import io.nagselector.nag.RunningTopK;

/**
 * What a shard keeps for one target version in keyed state: warm-up documents still to hold, and
 * its running top-k of {@code k}. Stored by Flink's record serializer: a field may be added, none
 * renamed or retyped (docs/streaming.md, "State and savepoints").
 */
public record ShardState(int version, int warmUpLeft, int k, RunningTopK.Entry[] best) {}
