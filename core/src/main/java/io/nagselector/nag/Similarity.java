package io.nagselector.nag;

/**
 * sim(d, t) = (1/L) * sum over layers of the profile weights of d's neurons, in [0, 1]; distance =
 * 1 - sim. Sums are taken in NumPy's order so results equal the published code's bit for bit.
 */
public final class Similarity {
  private Similarity() {}

  public static double similarity(NagFeature doc, TargetProfile profile) {
    profile.checkShape(doc.numLayers(), doc.topK(), "doc " + doc.docId());
    return similarity(doc.indices(), profile);
  }

  /** Scores a layer-major index array already known to have the profile's shape. */
  public static double similarity(int[] indices, TargetProfile profile) {
    int numLayers = profile.numLayers();
    int topK = profile.topK();
    double[] scratch = new double[topK];
    double score = 0.0;
    for (int layer = 0; layer < numLayers; layer++) {
      score += layerSum(indices, layer, profile, scratch);
    }
    return score / numLayers;
  }

  public static double distance(NagFeature doc, TargetProfile profile) {
    return 1.0 - similarity(doc, profile);
  }

  /**
   * The explanation: how much of the similarity each layer contributed (each term is that layer's
   * weight sum / L; they add up to the similarity up to rounding).
   */
  public static double[] layerContributions(NagFeature doc, TargetProfile profile) {
    profile.checkShape(doc.numLayers(), doc.topK(), "doc " + doc.docId());
    int numLayers = profile.numLayers();
    double[] scratch = new double[profile.topK()];
    double[] contributions = new double[numLayers];
    for (int layer = 0; layer < numLayers; layer++) {
      contributions[layer] = layerSum(doc.indices(), layer, profile, scratch) / numLayers;
    }
    return contributions;
  }

  private static double layerSum(
      int[] indices, int layer, TargetProfile profile, double[] scratch) {
    int topK = scratch.length;
    int offset = layer * topK;
    for (int r = 0; r < topK; r++) {
      scratch[r] = profile.weight(layer, indices[offset + r]);
    }
    return NumpySum.sum(scratch, 0, topK);
  }
}
