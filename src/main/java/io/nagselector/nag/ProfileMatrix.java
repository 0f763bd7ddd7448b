package io.nagselector.nag;

import java.util.List;

/**
 * Many target profiles of one shape, laid out neuron-major ({@code [layer][neuron][target]}) so
 * that scoring a document against all targets is a few hundred contiguous vector additions. Gives
 * the same doubles as {@link Similarity}: the pairwise order is applied row-wise.
 */
public final class ProfileMatrix {
  private static final int BLOCK = 128;

  private final int numLayers;
  private final int topK;
  private final int numNeurons;
  private final int numTargets;
  private final double[] weights;

  private ProfileMatrix(int numLayers, int topK, int numNeurons, int numTargets, double[] weights) {
    this.numLayers = numLayers;
    this.topK = topK;
    this.numNeurons = numNeurons;
    this.numTargets = numTargets;
    this.weights = weights;
  }

  /** Packs profiles that share L and K; the width is the widest profile's. */
  public static ProfileMatrix of(List<TargetProfile> profiles) {
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
    long size = (long) first.numLayers() * width * m;
    if (size > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException(
          "too many targets for one matrix: L*N*M = " + size + " weights exceeds 2^31");
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
    return new ProfileMatrix(first.numLayers(), first.topK(), width, m, weights);
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
    int m = numTargets;
    java.util.Arrays.fill(out, 0, m, 0.0);
    int[] rows = scratch.rows;
    for (int layer = 0; layer < numLayers; layer++) {
      int base = layer * numNeurons * m;
      for (int r = 0; r < topK; r++) {
        int neuron = indices[layer * topK + r];
        rows[r] = neuron >= 0 && neuron < numNeurons ? base + neuron * m : -1;
      }
      pairwise(rows, 0, topK, scratch, 0, scratch.layer);
      double[] layerSum = scratch.layer;
      for (int t = 0; t < m; t++) {
        out[t] += layerSum[t];
      }
    }
    for (int t = 0; t < m; t++) {
      out[t] /= numLayers;
    }
  }

  /** out = pairwise sum of the weight rows rows[from .. from+n), per target (-1 = a zero row). */
  private void pairwise(int[] rows, int from, int n, Scratch s, int depth, double[] out) {
    int m = numTargets;
    if (n < 8) {
      java.util.Arrays.fill(out, 0, m, 0.0);
      for (int i = 0; i < n; i++) {
        addRow(out, rows[from + i]);
      }
      return;
    }
    if (n <= BLOCK) {
      double[][] r = s.lanes;
      for (int j = 0; j < 8; j++) {
        copyRow(r[j], rows[from + j]);
      }
      int i = 8;
      for (; i < n - (n % 8); i += 8) {
        for (int j = 0; j < 8; j++) {
          addRow(r[j], rows[from + i + j]);
        }
      }
      for (int t = 0; t < m; t++) {
        out[t] =
            ((r[0][t] + r[1][t]) + (r[2][t] + r[3][t]))
                + ((r[4][t] + r[5][t]) + (r[6][t] + r[7][t]));
      }
      for (; i < n; i++) {
        addRow(out, rows[from + i]);
      }
      return;
    }
    int half = n / 2;
    half -= half % 8;
    double[] left = s.level(depth);
    pairwise(rows, from, half, s, depth + 1, left);
    pairwise(rows, from + half, n - half, s, depth + 1, out);
    for (int t = 0; t < m; t++) {
      out[t] = left[t] + out[t];
    }
  }

  private void addRow(double[] acc, int row) {
    if (row < 0) {
      return;
    }
    for (int t = 0; t < numTargets; t++) {
      acc[t] += weights[row + t];
    }
  }

  private void copyRow(double[] dst, int row) {
    if (row < 0) {
      java.util.Arrays.fill(dst, 0, numTargets, 0.0);
    } else {
      System.arraycopy(weights, row, dst, 0, numTargets);
    }
  }

  /** Per-thread buffers for {@link #similarities}. */
  public static final class Scratch {
    private final int[] rows;
    private final double[] layer;
    private final double[][] lanes;
    private final double[][] levels = new double[8][];
    private final int numTargets;

    private Scratch(int numTargets, int topK) {
      this.numTargets = numTargets;
      this.rows = new int[topK];
      this.layer = new double[numTargets];
      this.lanes = new double[8][numTargets];
    }

    private double[] level(int depth) {
      if (levels[depth] == null) {
        levels[depth] = new double[numTargets];
      }
      return levels[depth];
    }
  }
}
