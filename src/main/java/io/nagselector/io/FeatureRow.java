package io.nagselector.io;

/** A doc id and its raw NAG index array as read from a feature file. */
public record FeatureRow(String docId, boolean numericId, int[] indices, Location where) {}
