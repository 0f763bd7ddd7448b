package io.nagselector.nag;

import java.util.Arrays;
import java.util.TreeSet;

/**
 * Which layers of a feature to keep: {@code last}, {@code first}, or a comma-separated list of
 * 0-based layer indices (kept sorted and unique, as the reference's slicing script does).
 */
public final class LayerSelection {
  private final int[] layers;

  private LayerSelection(int[] layers) {
    this.layers = layers;
  }

  /** Parses a layer spec against a backbone of {@code numLayers} layers. */
  public static LayerSelection parse(String spec, int numLayers) {
    if (spec == null || spec.isBlank()) {
      throw new IllegalArgumentException("--layers: empty layer spec");
    }
    String trimmed = spec.trim();
    if (trimmed.equals("last")) {
      return new LayerSelection(new int[] {numLayers - 1});
    }
    if (trimmed.equals("first")) {
      return new LayerSelection(new int[] {0});
    }
    TreeSet<Integer> sorted = new TreeSet<>();
    for (String part : trimmed.split(",")) {
      if (part.isBlank()) {
        continue;
      }
      int layer;
      try {
        layer = Integer.parseInt(part.trim());
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(
            "--layers: '" + part.trim() + "' is not last, first or a layer index");
      }
      if (layer < 0 || layer >= numLayers) {
        throw new IllegalArgumentException(
            "--layers: layer index " + layer + " out of range [0, " + numLayers + ")");
      }
      sorted.add(layer);
    }
    if (sorted.isEmpty()) {
      throw new IllegalArgumentException("--layers: no layer in '" + spec + "'");
    }
    return new LayerSelection(sorted.stream().mapToInt(Integer::intValue).toArray());
  }

  public int size() {
    return layers.length;
  }

  public int[] layers() {
    return layers.clone();
  }

  /** Copies the kept layers' K indices each out of a layer-major L*K array. */
  public int[] apply(int[] indices, int numLayers, int topK) {
    int[] kept = new int[layers.length * topK];
    for (int i = 0; i < layers.length; i++) {
      if (layers[i] >= numLayers) {
        throw new IllegalArgumentException(
            "layer " + layers[i] + " does not exist in a feature of " + numLayers + " layers");
      }
      System.arraycopy(indices, layers[i] * topK, kept, i * topK, topK);
    }
    return kept;
  }

  @Override
  public String toString() {
    return Arrays.toString(layers);
  }
}
