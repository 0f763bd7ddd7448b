package io.nagselector.pipeline;

import io.nagselector.nag.RunningTopK;
import java.util.List;

/**
 * One shard's running top-k of one target version, sent to the merge, with the target's own k, how
 * many documents the shard accepted for it and the threshold in force there (NaN while warming up).
 */
public record ShardTopK(
    String target,
    int version,
    int k,
    int shard,
    List<RunningTopK.Entry> entries,
    long accepted,
    double threshold) {}
