package io.nagselector.pipeline;

/**
 * One change to a target's whole-stream quantile since its sketch was last written, in {@code
 * select.SettleFractions}' keyed state: a document observed (its similarity), decided (whether it
 * was accepted), or both, with its tokens. Stored by Flink's record serializer: a field may be
 * added, none renamed or retyped.
 */
public record SketchUpdate(Double observed, Boolean accepted, long tokens) {}
