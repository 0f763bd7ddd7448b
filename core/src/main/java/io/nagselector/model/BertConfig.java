package io.nagselector.model;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;

/** config.json of a BERT-family encoder (BERT, MiniLM, BGE). */
public record BertConfig(
    int vocabSize,
    int hiddenSize,
    int intermediateSize,
    int numHiddenLayers,
    int numAttentionHeads,
    double layerNormEps,
    int maxPositionEmbeddings,
    int typeVocabSize) {

  static BertConfig from(JsonNode c, Path file) {
    String act = c.path("hidden_act").asText("gelu");
    if (!act.equals("gelu")) {
      throw new ModelException(file + ": hidden_act '" + act + "' is not supported (gelu is)");
    }
    return new BertConfig(
        Configs.requiredInt(c, "vocab_size", file),
        Configs.requiredInt(c, "hidden_size", file),
        Configs.requiredInt(c, "intermediate_size", file),
        Configs.requiredInt(c, "num_hidden_layers", file),
        Configs.requiredInt(c, "num_attention_heads", file),
        c.path("layer_norm_eps").asDouble(1e-12),
        c.path("max_position_embeddings").asInt(512),
        c.path("type_vocab_size").asInt(2));
  }
}
