package io.nagselector.nag;

import java.util.Arrays;

/**
 * A document's Neuron-Activated Graph: the indices of its K most impactful neurons at each of L
 * layers, layer-major and in descending impact within a layer.
 */
public final class NagFeature {
  private final String docId;
  private final int numLayers;
  private final int topK;
  private final int[] indices;

  private NagFeature(String docId, int numLayers, int topK, int[] indices) {
    this.docId = docId;
    this.numLayers = numLayers;
    this.topK = topK;
    this.indices = indices;
  }

  /**
   * Validates and wraps {@code indices}. {@code numNeurons} bounds the indices when known; pass 0
   * when the FFN width is unknown (then only negative indices are rejected).
   *
   * @throws InvalidFeatureException naming the doc id and the problem
   */
  public static NagFeature of(
      String docId, int numLayers, int topK, int numNeurons, int[] indices) {
    if (numLayers <= 0 || topK <= 0) {
      throw new IllegalArgumentException(
          "num-layers and top-k must be positive, got L=" + numLayers + " K=" + topK);
    }
    long expected = (long) numLayers * topK;
    if (indices.length != expected) {
      throw new InvalidFeatureException(
          docId,
          "wrong length: expected L*K = "
              + numLayers
              + "*"
              + topK
              + " = "
              + expected
              + " indices, got "
              + indices.length);
    }
    for (int layer = 0; layer < numLayers; layer++) {
      int from = layer * topK;
      for (int i = from; i < from + topK; i++) {
        int index = indices[i];
        if (index < 0 || (numNeurons > 0 && index >= numNeurons)) {
          throw new InvalidFeatureException(
              docId,
              "neuron index "
                  + index
                  + " at layer "
                  + layer
                  + " is out of range [0, "
                  + (numNeurons > 0 ? numNeurons : "inf")
                  + ")");
        }
        for (int j = from; j < i; j++) {
          if (indices[j] == index) {
            throw new InvalidFeatureException(
                docId, "neuron index " + index + " appears twice at layer " + layer);
          }
        }
      }
    }
    return new NagFeature(docId, numLayers, topK, indices);
  }

  public String docId() {
    return docId;
  }

  public int numLayers() {
    return numLayers;
  }

  public int topK() {
    return topK;
  }

  /** The raw layer-major indices; callers must not modify the array. */
  public int[] indices() {
    return indices;
  }

  public int index(int layer, int rank) {
    return indices[layer * topK + rank];
  }

  /** Keeps only the given layers, in the given order. */
  public NagFeature slice(LayerSelection layers) {
    int[] kept = layers.apply(indices, numLayers, topK);
    return new NagFeature(docId, layers.size(), topK, kept);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof NagFeature other
        && docId.equals(other.docId)
        && numLayers == other.numLayers
        && Arrays.equals(indices, other.indices);
  }

  @Override
  public int hashCode() {
    return docId.hashCode() * 31 + Arrays.hashCode(indices);
  }

  @Override
  public String toString() {
    return "NagFeature[" + docId + ", L=" + numLayers + ", K=" + topK + "]";
  }
}
