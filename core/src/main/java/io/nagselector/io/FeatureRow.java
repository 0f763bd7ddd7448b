package io.nagselector.io;

import io.nagselector.nag.InvalidFeatureException;
import io.nagselector.nag.NagFeature;

/** A doc id and its raw NAG index array as read from a feature file. */
public record FeatureRow(String docId, boolean numericId, int[] indices, Location where) {

  /** The row as a checked feature of shape L x K (indices below N when N > 0), or null if bad. */
  public NagFeature validated(int numLayers, int topK, int numNeurons, BadRows bad) {
    try {
      return NagFeature.of(docId, numLayers, topK, numNeurons, indices);
    } catch (InvalidFeatureException e) {
      bad.reject(where, docId, BadRowReason.INVALID_FEATURE, e.getMessage(), null);
      return null;
    }
  }
}
