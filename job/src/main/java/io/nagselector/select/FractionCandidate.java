package io.nagselector.select;

import io.nagselector.avro.SelectedDocument;

/**
 * A document its shard left undecided for a fraction target, near the cut: the record to publish if
 * the target's whole-stream rule accepts it (its threshold is the shard's), its tokens, and what
 * the shard's own threshold says, which decides it should its target version end first.
 */
public record FractionCandidate(
    String target,
    int version,
    double fraction,
    long tokens,
    boolean shardAccepts,
    SelectedDocument selection) {}
