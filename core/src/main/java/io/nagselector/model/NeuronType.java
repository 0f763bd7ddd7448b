package io.nagselector.model;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Where a neuron's impact is measured (docs/extraction.md); {@code fwd_up} is the paper's setting.
 */
public enum NeuronType {
  FWD_UP,
  FWD_DOWN,
  ATT_Q,
  ATT_K,
  ATT_V,
  ATT_O;

  /** The name used in feature files: {@code fwd_up}, ... */
  public String key() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The feature column of this type, e.g. {@code fwd_up_feature}. */
  public String column() {
    return key() + "_feature";
  }

  public boolean isAttention() {
    return this != FWD_UP && this != FWD_DOWN;
  }

  /** Parses a comma-separated list such as {@code fwd_up,att_q}. */
  public static List<NeuronType> parseList(String spec) {
    List<NeuronType> types = new ArrayList<>();
    for (String part : spec.split(",")) {
      String key = part.trim();
      if (key.isEmpty()) {
        continue;
      }
      NeuronType type = null;
      for (NeuronType t : values()) {
        if (t.key().equals(key)) {
          type = t;
        }
      }
      if (type == null) {
        throw new IllegalArgumentException(
            "--neuron-types: unknown type '"
                + key
                + "' (fwd_up, fwd_down, att_q, att_k, att_v, att_o)");
      }
      if (!types.contains(type)) {
        types.add(type);
      }
    }
    if (types.isEmpty()) {
      throw new IllegalArgumentException("--neuron-types: no type given");
    }
    return types;
  }
}
