package io.nagselector.model;

/**
 * A checkpoint or tokenizer that cannot be used: names the file, the tensor and what was expected.
 */
public final class ModelException extends RuntimeException {
  public ModelException(String message) {
    super(message);
  }

  public ModelException(String message, Throwable cause) {
    super(message, cause);
  }
}
