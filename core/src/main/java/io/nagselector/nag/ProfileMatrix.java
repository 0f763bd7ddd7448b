package io.nagselector.nag;

import java.util.Arrays;
import java.util.List;

/**
 * Many target profiles of one shape, laid out neuron-major ({@code [layer][neuron][target]}) so
 * that scoring a document against all targets is a few hundred contiguous vector additions. With
 * one target, or any power other than 1, it gives the same doubles as {@link Similarity} (the
 * pairwise order is applied row-wise); several power-1 targets use the compact {@link CountMatrix}.
 */
public final class ProfileMatrix {
  private static final int BLOCK = 128;

  private final int numLayers;
  private final int topK;
  private final int numNeurons;
  private final int numTargets;
  private final double[] weights;
  private final CountMatrix counts;
  private final int zeroRow;

  private ProfileMatrix(
      int numLayers,
      int topK,
      int numNeurons,
      int numTargets,
      double[] weights,
      CountMatrix counts) {
    this.numLayers = numLayers;
    this.topK = topK;
    this.numNeurons = numNeurons;
    this.numTargets = numTargets;
    this.weights = weights;
    this.counts = counts;
    this.zeroRow = weights == null ? -1 : weights.length - numTargets;
  }

  /**
   * Packs profiles that share L and K for the fastest scoring: power-1 targets are scored from
   * their counts (correctly rounded, within 1e-15 of {@link Similarity}).
   */
  public static ProfileMatrix of(List<TargetProfile> profiles) {
    return pack(profiles, false);
  }

  /** Packs profiles to score exactly as {@link Similarity} (and the published NumPy code) does. */
  public static ProfileMatrix exact(List<TargetProfile> profiles) {
    return pack(profiles, true);
  }

  private static ProfileMatrix pack(List<TargetProfile> profiles, boolean exact) {
    if (profiles.isEmpty()) {
      throw new IllegalArgumentException("a profile matrix needs at least one target");
    }
    TargetProfile first = profiles.get(0);
    int width = 0;
    for (TargetProfile p : profiles) {
      first.checkShape(p.numLayers(), p.topK(), "another target");
      width = Math.max(width, p.numNeurons());
    }
    int m = profiles.size();
    // one extra all-zero row at the end stands for neurons outside every profile
    long size = ((long) first.numLayers() * width + 1) * m;
    if (size > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException(
          "too many targets for one matrix: L*N*M = " + size + " weights exceeds 2^31");
    }
    if (!exact && CountMatrix.fits(profiles)) {
      CountMatrix counts = CountMatrix.of(profiles, width, (int) size);
      return new ProfileMatrix(first.numLayers(), first.topK(), width, m, null, counts);
    }
    double[] weights = new double[(int) size];
    for (int t = 0; t < m; t++) {
      TargetProfile p = profiles.get(t);
      for (int layer = 0; layer < p.numLayers(); layer++) {
        double[] row = p.layerWeights(layer);
        int base = layer * width * m;
        for (int neuron = 0; neuron < row.length; neuron++) {
          weights[base + neuron * m + t] = row[neuron];
        }
      }
    }
    return new ProfileMatrix(first.numLayers(), first.topK(), width, m, weights, null);
  }

  public int numTargets() {
    return numTargets;
  }

  public int numLayers() {
    return numLayers;
  }

  public int topK() {
    return topK;
  }

  /** A reusable scoring buffer; one per thread. */
  public Scratch newScratch() {
    return new Scratch(numTargets, topK);
  }

  /** Writes sim(doc, target t) into {@code out[t]} for every target. */
  public void similarities(int[] indices, Scratch scratch, double[] out) {
    if (indices.length != numLayers * topK) {
      throw new IllegalArgumentException(
          "feature of length " + indices.length + " does not match L*K = " + numLayers * topK);
    }
    if (counts != null) {
      counts.similarities(indices, scratch.sums, out);
      return;
    }
    if (numTargets == 1) {
      out[0] = singleTarget(indices, scratch.values);
      return;
    }
    int m = numTargets;
    Arrays.fill(out, 0, m, 0.0);
    int[] rows = scratch.rows;
    for (int layer = 0; layer < numLayers; layer++) {
      int base = layer * numNeurons * m;
      for (int r = 0; r < topK; r++) {
        int neuron = indices[layer * topK + r];
        rows[r] = neuron >= 0 && neuron < numNeurons ? base + neuron * m : zeroRow;
      }
      pairwise(rows, 0, topK, scratch, 0, out, true);
    }
    for (int t = 0; t < m; t++) {
      out[t] /= numLayers;
    }
  }

  /** One target: gather the K weights of each layer and sum them as NumPy does. */
  private double singleTarget(int[] indices, double[] values) {
    double score = 0.0;
    for (int layer = 0; layer < numLayers; layer++) {
      int base = layer * numNeurons;
      int offset = layer * topK;
      for (int r = 0; r < topK; r++) {
        int neuron = indices[offset + r];
        values[r] = neuron >= 0 && neuron < numNeurons ? weights[base + neuron] : 0.0;
      }
      score += NumpySum.sum(values, 0, topK);
    }
    return score / numLayers;
  }

  /**
   * Pairwise sum (NumPy's order) of the weight rows rows[from .. from+n), per target, written to
   * (or, with accumulate, added to) out.
   */
  private void pairwise(
      int[] rows, int from, int n, Scratch s, int depth, double[] out, boolean accumulate) {
    int m = numTargets;
    double[] w = weights;
    if (n < 8) {
      for (int t = 0; t < m; t++) {
        double res = 0.0;
        for (int i = 0; i < n; i++) {
          res += w[rows[from + i] + t];
        }
        out[t] = accumulate ? out[t] + res : res;
      }
      return;
    }
    if (n <= BLOCK) {
      double[] lanes = s.lanes;
      int blocked = n - (n % 8);
      for (int j = 0; j < 8; j++) {
        int first = rows[from + j];
        int lane = j * m;
        for (int t = 0; t < m; t++) {
          lanes[lane + t] = w[first + t];
        }
        for (int i = 8 + j; i < blocked; i += 8) {
          int row = rows[from + i];
          for (int t = 0; t < m; t++) {
            lanes[lane + t] += w[row + t];
          }
        }
      }
      for (int t = 0; t < m; t++) {
        double res =
            ((lanes[t] + lanes[m + t]) + (lanes[2 * m + t] + lanes[3 * m + t]))
                + ((lanes[4 * m + t] + lanes[5 * m + t]) + (lanes[6 * m + t] + lanes[7 * m + t]));
        for (int i = blocked; i < n; i++) {
          res += w[rows[from + i] + t];
        }
        out[t] = accumulate ? out[t] + res : res;
      }
      return;
    }
    int half = n / 2;
    half -= half % 8;
    double[] left = s.level(2 * depth);
    double[] right = s.level(2 * depth + 1);
    pairwise(rows, from, half, s, depth + 1, left, false);
    pairwise(rows, from + half, n - half, s, depth + 1, right, false);
    for (int t = 0; t < m; t++) {
      double res = left[t] + right[t];
      out[t] = accumulate ? out[t] + res : res;
    }
  }

  /** Per-thread buffers for {@link #similarities}. */
  public static final class Scratch {
    private final int[] rows;
    private final double[] values;
    private final double[] lanes;
    private final int[] sums;
    private final double[][] levels = new double[64][];
    private final int numTargets;

    private Scratch(int numTargets, int topK) {
      this.numTargets = numTargets;
      this.rows = new int[topK];
      this.values = new double[topK];
      this.lanes = new double[8 * numTargets];
      this.sums = new int[numTargets];
    }

    private double[] level(int depth) {
      if (levels[depth] == null) {
        levels[depth] = new double[numTargets];
      }
      return levels[depth];
    }
  }
}
