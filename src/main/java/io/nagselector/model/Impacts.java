package io.nagselector.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Collects neuron impacts during one batch's forward: for each requested (layer, type), the mean
 * over each document's real tokens of |activation|, as plain floats [batch][width]. This is the one
 * place where impact is measured; the model code only calls {@link #observe}.
 */
public final class Impacts {
  private final List<NeuronType> types;
  private final boolean[] layers;
  private final int lastLayer;
  private final NDArray tokenMask;
  private final NDArray tokenCounts;
  private final Map<NeuronType, float[][][]> values = new EnumMap<>(NeuronType.class);
  private final int batch;

  /**
   * @param layers which layers are wanted (length L)
   * @param lengths each document's real token count (its tokens come first: right padding)
   */
  Impacts(
      NDManager manager, List<NeuronType> types, boolean[] layers, int[] lengths, int maxLength) {
    this.types = types;
    this.layers = layers;
    int last = -1;
    for (int l = 0; l < layers.length; l++) {
      if (layers[l]) {
        last = l;
      }
    }
    this.lastLayer = last;
    this.batch = lengths.length;
    float[] mask = new float[batch * maxLength];
    float[] counts = new float[batch];
    for (int b = 0; b < batch; b++) {
      for (int t = 0; t < lengths[b]; t++) {
        mask[b * maxLength + t] = 1f;
      }
      counts[b] = lengths[b];
    }
    tokenMask = manager.create(mask, new Shape(batch, maxLength, 1));
    tokenCounts = manager.create(counts, new Shape(batch, 1));
    for (NeuronType type : types) {
      values.put(type, new float[layers.length][][]);
    }
  }

  public boolean wants(int layer, NeuronType type) {
    return layers[layer] && types.contains(type);
  }

  /** The last layer anything is wanted from: the forward may stop after it. */
  public int lastLayer() {
    return lastLayer;
  }

  /** Whether {@code fwd_up} or {@code fwd_down} is wanted at {@code layer}. */
  public boolean wantsAnyFeedForward(int layer) {
    return wants(layer, NeuronType.FWD_UP) || wants(layer, NeuronType.FWD_DOWN);
  }

  /**
   * Records |activation| averaged over real tokens; {@code activation} is [batch, tokens, width].
   */
  public void observe(int layer, NeuronType type, NDArray activation) {
    observeGrouped(layer, type, activation, 1, 1);
  }

  /**
   * Like {@link #observe} for grouped-query keys/values: {@code activation} holds the key/value
   * heads; the impacts are expanded so that query head h reads key/value head h / group. Expanding
   * the impacts rather than the activations makes the copies exact ties.
   */
  public void observeGrouped(
      int layer, NeuronType type, NDArray activation, int group, int headDim) {
    if (!wants(layer, type)) {
      return;
    }
    NDArray mean =
        activation
            .toType(DataType.FLOAT32, false)
            .abs()
            .mul(tokenMask)
            .sum(new int[] {1})
            .div(tokenCounts);
    int width = (int) mean.getShape().get(1);
    float[] flat = mean.toFloatArray();
    float[][] rows = new float[batch][width * group];
    for (int b = 0; b < batch; b++) {
      for (int head = 0; head < width / headDim * group; head++) {
        System.arraycopy(
            flat, b * width + head / group * headDim, rows[b], head * headDim, headDim);
      }
    }
    values.get(type)[layer] = rows;
  }

  /** The impacts of {@code type} at {@code layer}: [batch][width]. */
  public float[][] get(int layer, NeuronType type) {
    return values.get(type)[layer];
  }
}
