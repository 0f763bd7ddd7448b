package io.nagselector.model;

import java.util.Arrays;

/** Where named weight tensors come from (a safetensors checkpoint, an ONNX file). */
public interface TensorSource {

  /** The tensor as float32 values in row-major order, checked against {@code shape}. */
  float[] read(String name, long... shape);

  /** Whether the tensor exists. */
  boolean has(String name);

  /** A description of where the tensors live, for error messages. */
  String origin();

  /** Throws a {@link ModelException} naming origin, tensor and both shapes when they differ. */
  default void checkShape(String name, long[] actual, long[] expected) {
    if (!Arrays.equals(actual, expected)) {
      throw new ModelException(
          origin()
              + ": tensor "
              + name
              + " has shape "
              + Arrays.toString(actual)
              + ", expected "
              + Arrays.toString(expected));
    }
  }
}
