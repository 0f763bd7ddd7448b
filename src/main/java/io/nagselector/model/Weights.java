package io.nagselector.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * Loads named tensors from a {@link TensorSource} as NDArrays of the compute dtype (float32, or
 * bfloat16) owned by the model's manager.
 */
record Weights(NDManager manager, TensorSource source, DataType dtype) {

  NDArray array(String name, long... shape) {
    NDArray array = manager.create(source.read(name, shape), new Shape(shape));
    return dtype == DataType.FLOAT32 ? array : array.toType(dtype, false);
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

  /** A batch-side float32 array in the compute dtype. */
  NDArray cast(NDArray array) {
    return dtype == DataType.FLOAT32 ? array : array.toType(dtype, false);
  }
}
