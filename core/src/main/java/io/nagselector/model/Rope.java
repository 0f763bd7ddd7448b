package io.nagselector.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/** Rotary position embeddings (rotate-half form), with Llama 3's frequency scaling when given. */
final class Rope {
  private final int headDim;
  private final double[] inverseFrequencies;

  Rope(int headDim, double theta, DecoderConfig.RopeScaling scaling) {
    this.headDim = headDim;
    int half = headDim / 2;
    inverseFrequencies = new double[half];
    for (int i = 0; i < half; i++) {
      double f = 1.0 / Math.pow(theta, (2.0 * i) / headDim);
      inverseFrequencies[i] = scaling == null ? f : llama3(f, scaling);
    }
  }

  private static double llama3(double frequency, DecoderConfig.RopeScaling s) {
    double lowFreqWavelen = s.originalMaxPositionEmbeddings() / s.lowFreqFactor();
    double highFreqWavelen = s.originalMaxPositionEmbeddings() / s.highFreqFactor();
    double wavelen = 2 * Math.PI / frequency;
    if (wavelen < highFreqWavelen) {
      return frequency;
    }
    if (wavelen > lowFreqWavelen) {
      return frequency / s.factor();
    }
    double smooth =
        (s.originalMaxPositionEmbeddings() / wavelen - s.lowFreqFactor())
            / (s.highFreqFactor() - s.lowFreqFactor());
    return (1 - smooth) * frequency / s.factor() + smooth * frequency;
  }

  /** cos and sin tables [tokens, headDim] for positions 0..tokens-1. */
  NDList tables(NDManager manager, int tokens) {
    float[] cos = new float[tokens * headDim];
    float[] sin = new float[tokens * headDim];
    int half = headDim / 2;
    for (int p = 0; p < tokens; p++) {
      for (int i = 0; i < half; i++) {
        double angle = p * inverseFrequencies[i];
        float c = (float) Math.cos(angle);
        float s = (float) Math.sin(angle);
        cos[p * headDim + i] = c;
        cos[p * headDim + half + i] = c;
        sin[p * headDim + i] = s;
        sin[p * headDim + half + i] = s;
      }
    }
    Shape shape = new Shape(tokens, headDim);
    return new NDList(manager.create(cos, shape), manager.create(sin, shape));
  }

  /** x [batch, heads, tokens, headDim] rotated by the tables. */
  static NDArray apply(NDArray x, NDList tables) {
    long half = x.getShape().get(3) / 2;
    NDList parts = x.split(new long[] {half}, 3);
    NDArray rotated = parts.get(1).neg().concat(parts.get(0), 3);
    return x.mul(tables.get(0)).add(rotated.mul(tables.get(1)));
  }
}
