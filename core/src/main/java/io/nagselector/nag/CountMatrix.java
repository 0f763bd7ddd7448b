package io.nagselector.nag;

import java.util.Arrays;
import java.util.List;

/**
 * The compact form of a {@link ProfileMatrix} for several power-1 targets: raw neuron counts as
 * 16-bit values laid out {@code [layer][neuron][target]}, a quarter of the doubles' memory, so that
 * a hundred targets stay in the CPU cache. A layer's similarity is its exact integer count sum
 * divided once by the layer's total: the correctly rounded value, within 1e-15 of the per-weight
 * sum (which NumPy rounds at each addition).
 */
final class CountMatrix {
  private final int numLayers;
  private final int topK;
  private final int numNeurons;
  private final int numTargets;
  private final byte[] small;
  private final char[] counts;
  private final double[] totals;
  private final int zeroRow;

  private CountMatrix(
      int numLayers,
      int topK,
      int numNeurons,
      int numTargets,
      byte[] small,
      char[] counts,
      double[] totals) {
    this.numLayers = numLayers;
    this.topK = topK;
    this.numNeurons = numNeurons;
    this.numTargets = numTargets;
    this.small = small;
    this.counts = counts;
    this.totals = totals;
    this.zeroRow = (small != null ? small.length : counts.length) - numTargets;
  }

  /** Whether these profiles can be scored from counts: power 1 and counts below 2^16. */
  static boolean fits(List<TargetProfile> profiles) {
    for (TargetProfile p : profiles) {
      if (p.power() != 1.0 || p.maxCount() > Character.MAX_VALUE) {
        return false;
      }
    }
    return true;
  }

  static CountMatrix of(List<TargetProfile> profiles, int width, int size) {
    TargetProfile first = profiles.get(0);
    int m = profiles.size();
    boolean bytes = profiles.stream().allMatch(p -> p.maxCount() <= 255);
    byte[] small = bytes ? new byte[size] : null;
    char[] counts = bytes ? null : new char[size];
    double[] totals = new double[first.numLayers() * m];
    for (int t = 0; t < m; t++) {
      TargetProfile p = profiles.get(t);
      for (int layer = 0; layer < p.numLayers(); layer++) {
        totals[layer * m + t] = p.layerTotal(layer);
        int base = layer * width * m;
        for (int neuron = 0; neuron < p.numNeurons(); neuron++) {
          int count = p.count(layer, neuron);
          if (bytes) {
            small[base + neuron * m + t] = (byte) count;
          } else {
            counts[base + neuron * m + t] = (char) count;
          }
        }
      }
    }
    return new CountMatrix(first.numLayers(), first.topK(), width, m, small, counts, totals);
  }

  void similarities(int[] indices, int[] sums, double[] out) {
    int m = numTargets;
    if (m == 1) {
      out[0] = singleTarget(indices);
      return;
    }
    Arrays.fill(out, 0, m, 0.0);
    for (int layer = 0; layer < numLayers; layer++) {
      Arrays.fill(sums, 0, m, 0);
      int base = layer * numNeurons * m;
      for (int r = 0; r < topK; r++) {
        int neuron = indices[layer * topK + r];
        int row = neuron >= 0 && neuron < numNeurons ? base + neuron * m : zeroRow;
        if (small != null) {
          for (int t = 0; t < m; t++) {
            sums[t] += small[row + t] & 0xFF;
          }
        } else {
          for (int t = 0; t < m; t++) {
            sums[t] += counts[row + t];
          }
        }
      }
      int totalsRow = layer * m;
      for (int t = 0; t < m; t++) {
        out[t] += sums[t] / totals[totalsRow + t];
      }
    }
    for (int t = 0; t < m; t++) {
      out[t] /= numLayers;
    }
  }

  private double singleTarget(int[] indices) {
    double score = 0.0;
    for (int layer = 0; layer < numLayers; layer++) {
      int base = layer * numNeurons;
      int offset = layer * topK;
      int sum = 0;
      for (int r = 0; r < topK; r++) {
        int neuron = indices[offset + r];
        int row = neuron >= 0 && neuron < numNeurons ? base + neuron : zeroRow;
        sum += small != null ? small[row] & 0xFF : counts[row];
      }
      score += sum / totals[layer];
    }
    return score / numLayers;
  }
}
