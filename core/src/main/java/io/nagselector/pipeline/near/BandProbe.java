package io.nagselector.pipeline.near;

/**
 * A text's key, to the LSH bucket it falls in for one band, with its place among the texts of its
 * timestamp ({@link Signature#sequence()}).
 */
public record BandProbe(long bucket, long key, long sequence) {}
