package io.nagselector.model;

import ai.djl.ndarray.NDArray;

/** The shared building blocks: linear projections and norms over the last axis. */
final class Layers {
  private Layers() {}

  /**
   * y = x W^T (+ b). W is stored [out, in] like PyTorch and kept as its transposed view, made once
   * at load: every operation then starts from the batch's array, so results belong to the batch.
   */
  record Linear(NDArray weightTransposed, NDArray bias) {
    NDArray apply(NDArray x) {
      NDArray y = x.matMul(weightTransposed);
      return bias == null ? y : y.add(bias);
    }

    static Linear load(Weights w, String prefix, int out, int in, boolean withBias) {
      NDArray weight = w.array(prefix + ".weight", out, in);
      NDArray b = withBias ? w.array(prefix + ".bias", out) : null;
      return new Linear(weight.transpose(), b);
    }
  }

  /** RMSNorm: x / sqrt(mean(x^2) + eps) * w. */
  record RmsNorm(NDArray weight, float eps) {
    NDArray apply(NDArray x) {
      NDArray rms = x.square().mean(new int[] {-1}, true).add(eps).sqrt();
      return x.div(rms).mul(weight);
    }

    static RmsNorm load(Weights w, String name, int dim, double eps) {
      return new RmsNorm(w.array(name, dim), (float) eps);
    }
  }

  /** LayerNorm: (x - mean) / sqrt(var + eps) * w + b. */
  record LayerNorm(NDArray weight, NDArray bias, float eps) {
    NDArray apply(NDArray x) {
      NDArray centered = x.sub(x.mean(new int[] {-1}, true));
      NDArray std = centered.square().mean(new int[] {-1}, true).add(eps).sqrt();
      return centered.div(std).mul(weight).add(bias);
    }

    static LayerNorm load(Weights w, String prefix, int dim, double eps) {
      return new LayerNorm(
          w.array(prefix + ".weight", dim), w.array(prefix + ".bias", dim), (float) eps);
    }
  }
}
