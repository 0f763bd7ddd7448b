package io.nagselector.pipeline;

import io.nagselector.nag.RunningTopK;
import java.util.List;

/** One shard's running top-k of one target version, sent to the merge. */
public record ShardTopK(String target, int version, int shard, List<RunningTopK.Entry> entries) {}
