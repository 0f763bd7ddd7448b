package io.nagselector.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Collects neuron impacts during one batch's forward: for each requested (layer, type), the mean
 * over each document's real tokens of |activation|. Either whole rows come back as plain floats
 * [batch][width] ({@link #get}), or, with a {@code topK}, only each row's K most impactful neuron
 * indices ({@link #top}): chosen on the device, so that about 2K values per row cross to the host
 * instead of the whole row, and in exactly the order {@link TopK} gives (ties to the lower index).
 * This is the one place where impact is measured; the model code only calls {@link #observe}.
 */
public final class Impacts {
  private final List<NeuronType> types;
  private final boolean[] layers;
  private final int lastLayer;
  private final NDArray tokenMask;
  private final NDArray tokenCounts;
  private final Map<NeuronType, float[][][]> values = new EnumMap<>(NeuronType.class);
  private final Map<NeuronType, int[][][]> tops = new EnumMap<>(NeuronType.class);
  private final int batch;
  private final int topK;

  /**
   * @param layers which layers are wanted (length L)
   * @param lengths each document's real token count (its tokens come first: right padding)
   */
  Impacts(
      NDManager manager, List<NeuronType> types, boolean[] layers, int[] lengths, int maxLength) {
    this(manager, types, layers, lengths, maxLength, 0);
  }

  /** Keeps only each row's {@code topK} indices (0: whole rows). */
  Impacts(
      NDManager manager,
      List<NeuronType> types,
      boolean[] layers,
      int[] lengths,
      int maxLength,
      int topK) {
    this.topK = topK;
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
      tops.put(type, new int[layers.length][][]);
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
    if (group > 1) { // query head h reads key/value head h / group
      long width = mean.getShape().get(1);
      mean =
          mean.reshape(batch, width / headDim, 1, headDim)
              .repeat(2, group)
              .reshape(batch, width * group);
    }
    if (topK > 0) {
      tops.get(type)[layer] = select(mean);
    } else {
      int width = (int) mean.getShape().get(1);
      float[] flat = mean.toFloatArray();
      float[][] rows = new float[batch][];
      for (int b = 0; b < batch; b++) {
        rows[b] = Arrays.copyOfRange(flat, b * width, (b + 1) * width);
      }
      values.get(type)[layer] = rows;
    }
  }

  /**
   * Each row's top K in {@link TopK}'s order. The device picks 2K candidates; their order is
   * settled here by value, then index. A tie that may reach past the candidates (the K-th value
   * equals the last candidate's) takes the whole row to the host instead.
   */
  private int[][] select(NDArray mean) {
    int width = (int) mean.getShape().get(1);
    int candidates = Math.min(width, 2 * topK);
    NDList top = mean.topK(candidates, 1, true, true);
    float[] value = top.get(0).toFloatArray();
    long[] index = top.get(1).toLongArray();
    float[] rows = null;
    int[][] selected = new int[batch][topK];
    for (int b = 0; b < batch; b++) {
      int at = b * candidates;
      if (candidates < width && value[at + candidates - 1] == value[at + topK - 1]) {
        if (rows == null) {
          rows = mean.toFloatArray();
        }
        TopK.select(Arrays.copyOfRange(rows, b * width, (b + 1) * width), topK, selected[b], 0);
      } else {
        TopK.selectAmong(value, index, at, candidates, topK, selected[b]);
      }
    }
    return selected;
  }

  /** The impacts of {@code type} at {@code layer}: [batch][width] (without a top K). */
  public float[][] get(int layer, NeuronType type) {
    return values.get(type)[layer];
  }

  /** The top K neuron indices of {@code type} at {@code layer}, largest first: [batch][K]. */
  public int[][] top(int layer, NeuronType type) {
    return tops.get(type)[layer];
  }
}
