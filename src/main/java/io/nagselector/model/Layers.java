package io.nagselector.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

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

    static Linear load(
        NDManager m, TensorSource src, String prefix, int out, int in, boolean withBias) {
      NDArray w = m.create(src.read(prefix + ".weight", out, in), new Shape(out, in));
      NDArray b = withBias ? m.create(src.read(prefix + ".bias", out), new Shape(out)) : null;
      return new Linear(w.transpose(), b);
    }
  }

  /** RMSNorm: x / sqrt(mean(x^2) + eps) * w. */
  record RmsNorm(NDArray weight, float eps) {
    NDArray apply(NDArray x) {
      NDArray rms = x.square().mean(new int[] {-1}, true).add(eps).sqrt();
      return x.div(rms).mul(weight);
    }

    static RmsNorm load(NDManager m, TensorSource src, String name, int dim, double eps) {
      return new RmsNorm(m.create(src.read(name, dim), new Shape(dim)), (float) eps);
    }
  }

  /** LayerNorm: (x - mean) / sqrt(var + eps) * w + b. */
  record LayerNorm(NDArray weight, NDArray bias, float eps) {
    NDArray apply(NDArray x) {
      NDArray centered = x.sub(x.mean(new int[] {-1}, true));
      NDArray std = centered.square().mean(new int[] {-1}, true).add(eps).sqrt();
      return centered.div(std).mul(weight).add(bias);
    }

    static LayerNorm load(NDManager m, TensorSource src, String prefix, int dim, double eps) {
      return new LayerNorm(
          m.create(src.read(prefix + ".weight", dim), new Shape(dim)),
          m.create(src.read(prefix + ".bias", dim), new Shape(dim)),
          (float) eps);
    }
  }
}
