package io.nagselector.duplicates.near;

/** A text ({@code key}) that met {@code firstKey} in a bucket, asking for its signature. */
public record SignatureLookup(long firstKey, long key) {}
