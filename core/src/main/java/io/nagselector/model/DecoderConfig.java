package io.nagselector.model;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * config.json of a decoder-only family: {@code llama}, {@code qwen2} (llama plus q/k/v biases),
 * {@code qwen3} (per-head q/k RMSNorm, no q/k/v bias) and {@code smollm3} (rotary only on the
 * layers {@code no_rope_layers} marks 1). Property names are the JSON keys.
 */
public record DecoderConfig(
    String modelType,
    int vocabSize,
    int hiddenSize,
    int intermediateSize,
    int numHiddenLayers,
    int numAttentionHeads,
    int numKeyValueHeads,
    int headDim,
    double rmsNormEps,
    double ropeTheta,
    RopeScaling ropeScaling,
    boolean qkvBias,
    boolean qkNorm,
    boolean[] useRope) {

  /** {@code rope_scaling} of type {@code llama3}; null when absent. */
  public record RopeScaling(
      double factor,
      double lowFreqFactor,
      double highFreqFactor,
      int originalMaxPositionEmbeddings) {}

  static DecoderConfig from(JsonNode c, Path file) {
    String type = c.path("model_type").asText();
    int hidden = Configs.requiredInt(c, "hidden_size", file);
    int heads = Configs.requiredInt(c, "num_attention_heads", file);
    int layers = Configs.requiredInt(c, "num_hidden_layers", file);
    RopeScaling scaling = null;
    JsonNode rs = c.path("rope_scaling");
    if (rs.isObject()) {
      String kind = rs.path("rope_type").asText(rs.path("type").asText(""));
      if (!kind.equals("llama3")) {
        throw new ModelException(
            file + ": rope_scaling type '" + kind + "' is not supported (llama3 is)");
      }
      scaling =
          new RopeScaling(
              rs.path("factor").asDouble(8.0),
              rs.path("low_freq_factor").asDouble(1.0),
              rs.path("high_freq_factor").asDouble(4.0),
              rs.path("original_max_position_embeddings").asInt(8192));
    }
    boolean[] useRope = new boolean[layers];
    Arrays.fill(useRope, true);
    JsonNode noRope = c.path("no_rope_layers");
    if (type.equals("smollm3") && noRope.isArray()) {
      if (noRope.size() != layers) {
        throw new ModelException(
            file + ": no_rope_layers has " + noRope.size() + " entries, expected " + layers);
      }
      for (int i = 0; i < layers; i++) {
        useRope[i] = noRope.get(i).asInt() == 1;
      }
    }
    return new DecoderConfig(
        type,
        Configs.requiredInt(c, "vocab_size", file),
        hidden,
        Configs.requiredInt(c, "intermediate_size", file),
        layers,
        heads,
        c.path("num_key_value_heads").asInt(heads),
        c.path("head_dim").isNumber() ? c.path("head_dim").asInt() : hidden / heads,
        c.path("rms_norm_eps").asDouble(1e-6),
        c.path("rope_theta").asDouble(10000.0),
        scaling,
        type.equals("qwen2") || c.path("attention_bias").asBoolean(false),
        type.equals("qwen3"),
        useRope);
  }
}
