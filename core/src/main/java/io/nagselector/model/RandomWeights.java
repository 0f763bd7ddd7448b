package io.nagselector.model;

import java.util.SplittableRandom;

/**
 * Gaussian weights for any tensor name, for benchmarking a model shape without a checkpoint. Norm
 * weights (1-D tensors) are near 1 so activations stay in range.
 */
public final class RandomWeights implements TensorSource {
  private final long seed;

  public RandomWeights(long seed) {
    this.seed = seed;
  }

  @Override
  public float[] read(String name, long... shape) {
    long n = 1;
    for (long d : shape) {
      n *= d;
    }
    SplittableRandom rnd = new SplittableRandom(seed ^ name.hashCode());
    float[] v = new float[(int) n];
    double scale = shape.length == 1 ? 0.02 : 1 / Math.sqrt(shape[shape.length - 1]);
    for (int i = 0; i < v.length; i++) {
      double g = rnd.nextDouble() + rnd.nextDouble() + rnd.nextDouble() - 1.5; // ~ N(0, 1/4)
      v[i] = (float) ((shape.length == 1 && name.endsWith("weight") ? 1 : 0) + 2 * g * scale);
    }
    return v;
  }

  @Override
  public boolean has(String name) {
    return !name.startsWith("bert.");
  }

  @Override
  public String origin() {
    return "random(seed " + seed + ")";
  }
}
