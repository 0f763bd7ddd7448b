package io.nagselector.pipeline.near;

/** A text's key, to the LSH bucket it falls in for one band. */
public record BandProbe(long bucket, long key) {}
