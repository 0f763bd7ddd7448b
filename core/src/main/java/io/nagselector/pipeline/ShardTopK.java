package io.nagselector.pipeline;

import io.nagselector.nag.RunningTopK;

/**
 * One shard's running top-k of one target version, sent to the merge, with the target's own k, how
 * many documents the shard accepted for it and the threshold in force there (NaN while warming up).
 * The merge keeps the latest of each shard in state, stored by Flink's record serializer.
 */
public record ShardTopK(
    String target,
    int version,
    int k,
    int shard,
    RunningTopK.Entry[] entries,
    long accepted,
    double threshold) {}
