package io.nagselector.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/** The shared building blocks: linear projections and norms over the last axis. */
final class Layers {
  private Layers() {}

  /**
   * y = x W^T (+ b) through PyTorch's fused linear; W is stored [out, in]. Every operation starts
   * from the batch's array, so its results belong to the batch, not to the model.
   */
  record Linear(NDArray weight, NDArray bias) {
    NDArray apply(NDArray x) {
      if (weight.getDataType() == DataType.FLOAT32) {
        return x.getNDArrayInternal().linear(x, weight, bias).singletonOrThrow();
      }
      // a half-precision matmul; its result, and the bias, back in float32
      NDArray half = input(x);
      NDArray y =
          half.getNDArrayInternal()
              .linear(half, weight, null)
              .singletonOrThrow()
              .toType(DataType.FLOAT32, false);
      return bias == null ? y : y.add(bias);
    }

    /** {@code x} in this layer's matmul type: cast once when several projections share it. */
    NDArray input(NDArray x) {
      return x.getDataType() == weight.getDataType() ? x : x.toType(weight.getDataType(), false);
    }

    static Linear load(Weights w, String prefix, int out, int in, boolean withBias) {
      NDArray weight = w.matrix(prefix + ".weight", out, in);
      NDArray b = withBias ? w.array(prefix + ".bias", out) : null;
      return new Linear(weight, b);
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

  /** LayerNorm over the last axis: (x - mean) / sqrt(var + eps) * w + b (PyTorch's fused op). */
  record LayerNorm(NDArray weight, NDArray bias, float eps) {
    NDArray apply(NDArray x) {
      Shape last = new Shape(weight.getShape().get(0));
      return x.getNDArrayInternal().layerNorm(x, last, weight, bias, eps).singletonOrThrow();
    }

    static LayerNorm load(Weights w, String prefix, int dim, double eps) {
      return new LayerNorm(
          w.array(prefix + ".weight", dim), w.array(prefix + ".bias", dim), (float) eps);
    }
  }
}
