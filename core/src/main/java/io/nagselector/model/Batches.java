package io.nagselector.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/** Per-batch inputs built on the Java side: gathered embeddings and attention masks. */
final class Batches {
  private static final float MASKED = -1e9f;

  private Batches() {}

  /**
   * Rows of a [vocab, hidden] table for each token, zero for padding: [batch, maxLength, hidden].
   */
  static NDArray embed(NDManager m, float[] table, int hidden, int[][] tokens, int maxLength) {
    float[] out = new float[tokens.length * maxLength * hidden];
    for (int b = 0; b < tokens.length; b++) {
      for (int t = 0; t < tokens[b].length; t++) {
        System.arraycopy(table, tokens[b][t] * hidden, out, (b * maxLength + t) * hidden, hidden);
      }
    }
    return m.create(out, new Shape(tokens.length, maxLength, hidden));
  }

  /**
   * Additive mask [batch, 1, maxLength, maxLength]: a query sees the document's real tokens (and,
   * when causal, only those not after it). Padding never changes a real token's result.
   */
  static NDArray mask(NDManager m, int[][] tokens, int maxLength, boolean causal) {
    float[] mask = new float[tokens.length * maxLength * maxLength];
    for (int b = 0; b < tokens.length; b++) {
      int length = tokens[b].length;
      for (int i = 0; i < maxLength; i++) {
        for (int j = 0; j < maxLength; j++) {
          boolean visible = j < length && (!causal || j <= i);
          mask[(b * maxLength + i) * maxLength + j] = visible ? 0f : MASKED;
        }
      }
    }
    return m.create(mask, new Shape(tokens.length, 1, maxLength, maxLength));
  }
}
