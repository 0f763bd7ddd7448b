package io.nagselector.model;

import java.util.Arrays;
import java.util.List;

/**
 * What to extract and how to batch it.
 *
 * @param layers the layers to keep (0-based, ascending), or null for all
 */
public record ExtractionSettings(
    int topK,
    int maxLength,
    List<NeuronType> neuronTypes,
    int[] layers,
    int batchSize,
    int maxBatchTokens) {

  public ExtractionSettings {
    if (topK <= 0) {
      throw new IllegalArgumentException("--top-k must be positive, got " + topK);
    }
    if (maxLength <= 0) {
      throw new IllegalArgumentException("--max-length must be positive, got " + maxLength);
    }
    if (batchSize <= 0) {
      throw new IllegalArgumentException("--batch-size must be positive, got " + batchSize);
    }
    if (maxBatchTokens < maxLength) {
      throw new IllegalArgumentException(
          "--max-batch-tokens ("
              + maxBatchTokens
              + ") must be at least --max-length ("
              + maxLength
              + ")");
    }
    if (neuronTypes.isEmpty()) {
      throw new IllegalArgumentException("--neuron-types: no type given");
    }
  }

  public static ExtractionSettings defaults() {
    return new ExtractionSettings(20, 120, List.of(NeuronType.FWD_UP), null, 16, 4096);
  }

  /** Which of {@code numLayers} layers are kept. */
  boolean[] layerMask(int numLayers) {
    boolean[] mask = new boolean[numLayers];
    if (layers == null) {
      Arrays.fill(mask, true);
      return mask;
    }
    for (int l : layers) {
      if (l < 0 || l >= numLayers) {
        throw new IllegalArgumentException(
            "--layers: layer " + l + " out of range [0, " + numLayers + ")");
      }
      mask[l] = true;
    }
    return mask;
  }
}
