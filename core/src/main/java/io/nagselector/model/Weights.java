package io.nagselector.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * Loads named tensors from a {@link TensorSource} as float32 NDArrays owned by the model's manager;
 * the linear layers' matrices come in {@code matmul}: float32, or float16 for half-precision
 * matmuls (tensor cores on a GPU) while the residual stream, norms and impacts stay float32.
 */
record Weights(NDManager manager, TensorSource source, DataType matmul) {

  NDArray array(String name, long... shape) {
    return manager.create(source.read(name, shape), new Shape(shape));
  }

  /** A linear layer's matrix, in the matmul type. */
  NDArray matrix(String name, long... shape) {
    NDArray array = array(name, shape);
    return matmul == DataType.FLOAT32 ? array : array.toType(matmul, false);
  }

  /** Plain floats, for tables read on the Java side (embeddings). */
  float[] floats(String name, long... shape) {
    return source.read(name, shape);
  }

  boolean has(String name) {
    return source.has(name);
  }

  String origin() {
    return source.origin();
  }
}
