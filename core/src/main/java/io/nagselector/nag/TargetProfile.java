package io.nagselector.nag;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * A target's neuron profile: per layer, how often each neuron appears in the examples' NAGs,
 * optionally raised to a power, normalised to sum to 1. Stored dense ({@code [L][N]}).
 */
public final class TargetProfile {
  private final int numLayers;
  private final int topK;
  private final int numNeurons;
  private final int exampleCount;
  private final double power;
  private final double[][] weights;
  private final int[][] counts;
  private final double[] layerTotals;
  private final String fingerprint;

  private TargetProfile(
      int numLayers,
      int topK,
      int exampleCount,
      double power,
      double[][] weights,
      int[][] counts,
      double[] layerTotals) {
    this.numLayers = numLayers;
    this.topK = topK;
    this.numNeurons = weights[0].length;
    this.exampleCount = exampleCount;
    this.power = power;
    this.weights = weights;
    this.counts = counts;
    this.layerTotals = layerTotals;
    this.fingerprint = fingerprintOf(numLayers, topK, power, weights);
  }

  /** Starts a profile of the given shape; {@code numNeurons} = 0 sizes it by the largest index. */
  public static Builder builder(int numLayers, int topK, int numNeurons) {
    return new Builder(numLayers, topK, numNeurons);
  }

  public int numLayers() {
    return numLayers;
  }

  public int topK() {
    return topK;
  }

  /** The profile's width: the FFN width if known, else the largest example index + 1. */
  public int numNeurons() {
    return numNeurons;
  }

  public int exampleCount() {
    return exampleCount;
  }

  public double power() {
    return power;
  }

  /** Weight of {@code neuron} at {@code layer}; 0 for neurons the examples never used. */
  public double weight(int layer, int neuron) {
    return neuron >= 0 && neuron < numNeurons ? weights[layer][neuron] : 0.0;
  }

  double[] layerWeights(int layer) {
    return weights[layer];
  }

  /**
   * The profile of {@code exampleCount} examples whose neuron counts are {@code
   * counts[layer][neuron]} (what {@link #count} reports): equal, fingerprint included, to the one
   * built from the examples.
   */
  public static TargetProfile fromCounts(
      int numLayers, int topK, int exampleCount, int[][] counts) {
    Builder builder = new Builder(numLayers, topK, 0);
    if (counts.length != numLayers) {
      throw new IllegalArgumentException(
          "counts for " + counts.length + " layers, the profile has " + numLayers);
    }
    for (int layer = 0; layer < numLayers; layer++) {
      for (int neuron = 0; neuron < counts[layer].length; neuron++) {
        if (counts[layer][neuron] < 0) {
          throw new IllegalArgumentException("negative count at layer " + layer);
        }
        if (counts[layer][neuron] > 0) {
          builder.ensureCapacity(layer, neuron);
          builder.counts[layer][neuron] = counts[layer][neuron];
          builder.maxIndex = Math.max(builder.maxIndex, neuron);
        }
      }
    }
    builder.exampleCount = exampleCount;
    return builder.build();
  }

  /** How many examples have {@code neuron} in their top K at {@code layer}. */
  public int count(int layer, int neuron) {
    return neuron >= 0 && neuron < counts[layer].length ? counts[layer][neuron] : 0;
  }

  /** The sum the layer's (powered) counts were divided by. */
  double layerTotal(int layer) {
    return layerTotals[layer];
  }

  int maxCount() {
    int max = 0;
    for (int[] layer : counts) {
      for (int c : layer) {
        max = Math.max(max, c);
      }
    }
    return max;
  }

  /** A short stable hash of the shape, power and weights (hex, 16 chars). */
  public String fingerprint() {
    return fingerprint;
  }

  /** Throws unless a feature of shape L x K can be scored against this profile. */
  public void checkShape(int featureLayers, int featureTopK, String what) {
    if (featureLayers != numLayers || featureTopK != topK) {
      throw new IllegalArgumentException(
          "shape mismatch: target profile has L="
              + numLayers
              + " K="
              + topK
              + " but "
              + what
              + " has L="
              + featureLayers
              + " K="
              + featureTopK);
    }
  }

  private static String fingerprintOf(int numLayers, int topK, double power, double[][] weights) {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      ByteBuffer header = ByteBuffer.allocate(24);
      header.putInt(numLayers).putInt(topK).putInt(weights[0].length).putDouble(power);
      digest.update(header.array());
      ByteBuffer row = ByteBuffer.allocate(weights[0].length * Double.BYTES);
      for (double[] layer : weights) {
        row.clear();
        row.asDoubleBuffer().put(layer);
        digest.update(row.array());
      }
      return HexFormat.of().formatHex(digest.digest(), 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 unavailable", e);
    }
  }

  /** Accumulates example features; {@link #build()} normalises them into a profile. */
  public static final class Builder {
    private final int numLayers;
    private final int topK;
    private final int numNeurons;
    private final int[][] counts;
    private int maxIndex = -1;
    private int exampleCount;
    private double power = 1.0;

    private Builder(int numLayers, int topK, int numNeurons) {
      if (numLayers <= 0 || topK <= 0 || numNeurons < 0) {
        throw new IllegalArgumentException(
            "profile shape must be positive, got L="
                + numLayers
                + " K="
                + topK
                + " N="
                + numNeurons);
      }
      this.numLayers = numLayers;
      this.topK = topK;
      this.numNeurons = numNeurons;
      this.counts = new int[numLayers][Math.max(numNeurons, 16)];
    }

    /** Counts are raised to {@code power} before normalising (the paper's default is 1). */
    public Builder power(double power) {
      if (!Double.isFinite(power)) {
        throw new IllegalArgumentException("--power must be a finite number, got " + power);
      }
      this.power = power;
      return this;
    }

    public Builder add(NagFeature example) {
      if (example.numLayers() != numLayers || example.topK() != topK) {
        throw new IllegalArgumentException(
            "shape mismatch: target profile has L="
                + numLayers
                + " K="
                + topK
                + " but example "
                + example.docId()
                + " has L="
                + example.numLayers()
                + " K="
                + example.topK());
      }
      int[] indices = example.indices();
      for (int layer = 0; layer < numLayers; layer++) {
        for (int r = 0; r < topK; r++) {
          int neuron = indices[layer * topK + r];
          if (numNeurons > 0 && neuron >= numNeurons) {
            throw new InvalidFeatureException(
                example.docId(), "neuron index " + neuron + " >= N=" + numNeurons);
          }
          ensureCapacity(layer, neuron);
          counts[layer][neuron]++;
          maxIndex = Math.max(maxIndex, neuron);
        }
      }
      exampleCount++;
      return this;
    }

    private void ensureCapacity(int layer, int neuron) {
      if (neuron >= counts[layer].length) {
        counts[layer] =
            Arrays.copyOf(counts[layer], Math.max(neuron + 1, counts[layer].length * 2));
      }
    }

    public TargetProfile build() {
      if (exampleCount == 0) {
        throw new IllegalArgumentException("a target profile needs at least one example, got none");
      }
      int width = numNeurons > 0 ? numNeurons : maxIndex + 1;
      double[][] weights = new double[numLayers][width];
      int[][] kept = new int[numLayers][];
      double[] totals = new double[numLayers];
      double[] used = new double[width];
      for (int layer = 0; layer < numLayers; layer++) {
        int[] layerCounts = counts[layer];
        int usedCount = 0;
        for (int neuron = 0; neuron < Math.min(width, layerCounts.length); neuron++) {
          if (layerCounts[neuron] > 0) {
            double w = layerCounts[neuron];
            used[usedCount++] = power != 1.0 ? Math.pow(w, power) : w;
          }
        }
        double total = NumpySum.sum(used, 0, usedCount);
        totals[layer] = total;
        kept[layer] = Arrays.copyOf(layerCounts, width);
        int u = 0;
        for (int neuron = 0; neuron < Math.min(width, layerCounts.length); neuron++) {
          if (layerCounts[neuron] > 0) {
            weights[layer][neuron] = total > 0 ? used[u] / total : used[u];
            u++;
          }
        }
      }
      return new TargetProfile(numLayers, topK, exampleCount, power, weights, kept, totals);
    }
  }
}
