package io.nagselector.model;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Writes tiny random Hugging Face checkpoints (config.json, safetensors, a WordLevel tokenizer) for
 * every supported family, and keeps the weights for the test's reference forward.
 */
public final class TinyCheckpoint {
  static final int VOCAB = 64;
  static final ObjectMapper JSON = new ObjectMapper();

  final ObjectNode config = JSON.createObjectNode();
  final Map<String, float[]> weights = new LinkedHashMap<>();
  final Map<String, long[]> shapes = new LinkedHashMap<>();
  private final Random rnd;

  private TinyCheckpoint(long seed) {
    rnd = new Random(seed);
  }

  /** A decoder of the given family: hidden 32, intermediate 48, 3 layers, 4 q / 2 kv heads. */
  public static TinyCheckpoint decoder(String family, long seed) {
    TinyCheckpoint c = new TinyCheckpoint(seed);
    int hidden = 32;
    int heads = 4;
    int kvHeads = 2;
    int headDim = family.equals("qwen3") ? 12 : 8; // qwen3: heads x head_dim != hidden
    int inter = 48;
    int layers = 3;
    c.config.put("model_type", family);
    c.config.put("vocab_size", VOCAB);
    c.config.put("hidden_size", hidden);
    c.config.put("intermediate_size", inter);
    c.config.put("num_hidden_layers", layers);
    c.config.put("num_attention_heads", heads);
    c.config.put("num_key_value_heads", kvHeads);
    c.config.put("head_dim", headDim);
    c.config.put("rms_norm_eps", 1e-6);
    c.config.put("rope_theta", 500.0);
    if (family.equals("llama")) {
      ObjectNode scaling = c.config.putObject("rope_scaling");
      scaling.put("rope_type", "llama3");
      scaling.put("factor", 8.0);
      scaling.put("low_freq_factor", 1.0);
      scaling.put("high_freq_factor", 4.0);
      scaling.put("original_max_position_embeddings", 16);
    }
    if (family.equals("smollm3")) {
      ArrayNode noRope = c.config.putArray("no_rope_layers");
      noRope.add(1).add(0).add(1);
    }
    c.tensor("model.embed_tokens.weight", 1.0, VOCAB, hidden);
    for (int i = 0; i < layers; i++) {
      String p = "model.layers." + i + ".";
      c.norm(p + "input_layernorm.weight", hidden);
      c.tensor(p + "self_attn.q_proj.weight", 0.3, heads * headDim, hidden);
      c.tensor(p + "self_attn.k_proj.weight", 0.3, kvHeads * headDim, hidden);
      c.tensor(p + "self_attn.v_proj.weight", 0.3, kvHeads * headDim, hidden);
      c.tensor(p + "self_attn.o_proj.weight", 0.3, hidden, heads * headDim);
      if (family.equals("qwen2")) {
        c.tensor(p + "self_attn.q_proj.bias", 0.2, heads * headDim);
        c.tensor(p + "self_attn.k_proj.bias", 0.2, kvHeads * headDim);
        c.tensor(p + "self_attn.v_proj.bias", 0.2, kvHeads * headDim);
      }
      if (family.equals("qwen3")) {
        c.norm(p + "self_attn.q_norm.weight", headDim);
        c.norm(p + "self_attn.k_norm.weight", headDim);
      }
      c.norm(p + "post_attention_layernorm.weight", hidden);
      c.tensor(p + "mlp.gate_proj.weight", 0.3, inter, hidden);
      c.tensor(p + "mlp.up_proj.weight", 0.3, inter, hidden);
      c.tensor(p + "mlp.down_proj.weight", 0.3, hidden, inter);
    }
    return c;
  }

  /** A BERT encoder: hidden 32, intermediate 48, 2 layers, 4 heads. */
  public static TinyCheckpoint bert(long seed) {
    TinyCheckpoint c = new TinyCheckpoint(seed);
    int hidden = 32;
    int inter = 48;
    c.config.put("model_type", "bert");
    c.config.put("vocab_size", VOCAB);
    c.config.put("hidden_size", hidden);
    c.config.put("intermediate_size", inter);
    c.config.put("num_hidden_layers", 2);
    c.config.put("num_attention_heads", 4);
    c.config.put("max_position_embeddings", 64);
    c.config.put("type_vocab_size", 2);
    c.config.put("layer_norm_eps", 1e-12);
    c.config.put("hidden_act", "gelu");
    c.tensor("embeddings.word_embeddings.weight", 1.0, VOCAB, hidden);
    c.tensor("embeddings.position_embeddings.weight", 0.5, 64, hidden);
    c.tensor("embeddings.token_type_embeddings.weight", 0.5, 2, hidden);
    c.layerNorm("embeddings.LayerNorm", hidden);
    for (int i = 0; i < 2; i++) {
      String p = "encoder.layer." + i + ".";
      for (String name : new String[] {"query", "key", "value"}) {
        c.tensor(p + "attention.self." + name + ".weight", 0.3, hidden, hidden);
        c.tensor(p + "attention.self." + name + ".bias", 0.2, hidden);
      }
      c.tensor(p + "attention.output.dense.weight", 0.3, hidden, hidden);
      c.tensor(p + "attention.output.dense.bias", 0.2, hidden);
      c.layerNorm(p + "attention.output.LayerNorm", hidden);
      c.tensor(p + "intermediate.dense.weight", 0.3, inter, hidden);
      c.tensor(p + "intermediate.dense.bias", 0.2, inter);
      c.tensor(p + "output.dense.weight", 0.3, hidden, inter);
      c.tensor(p + "output.dense.bias", 0.2, hidden);
      c.layerNorm(p + "output.LayerNorm", hidden);
    }
    return c;
  }

  private void tensor(String name, double scale, long... shape) {
    long n = 1;
    for (long d : shape) {
      n *= d;
    }
    float[] v = new float[(int) n];
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) (rnd.nextGaussian() * scale);
    }
    weights.put(name, v);
    shapes.put(name, shape);
  }

  private void norm(String name, int dim) {
    tensor(name, 0.1, dim);
    float[] v = weights.get(name);
    for (int i = 0; i < v.length; i++) {
      v[i] += 1f;
    }
  }

  private void layerNorm(String prefix, int dim) {
    norm(prefix + ".weight", dim);
    tensor(prefix + ".bias", 0.1, dim);
  }

  /** Rounds every weight to bfloat16, so a BF16 checkpoint holds exactly these values. */
  TinyCheckpoint roundToBf16() {
    for (float[] v : weights.values()) {
      for (int i = 0; i < v.length; i++) {
        v[i] = Float.intBitsToFloat(Float.floatToIntBits(v[i]) & 0xFFFF0000);
      }
    }
    return this;
  }

  /**
   * Writes config.json, tokenizer.json and the weights ({@code shards} > 1: sharded with index).
   */
  public Path write(Path dir, String dtype, int shards) throws IOException {
    Files.createDirectories(dir);
    JSON.writeValue(dir.resolve("config.json").toFile(), config);
    Files.writeString(dir.resolve("tokenizer.json"), tokenizerJson());
    List<String> names = new ArrayList<>(weights.keySet());
    if (shards == 1) {
      writeSafetensors(dir.resolve("model.safetensors"), names, dtype);
      return dir;
    }
    ObjectNode index = JSON.createObjectNode();
    ObjectNode map = index.putObject("weight_map");
    int per = (names.size() + shards - 1) / shards;
    for (int s = 0; s < shards; s++) {
      String file = String.format("model-%05d-of-%05d.safetensors", s + 1, shards);
      List<String> part = names.subList(s * per, Math.min(names.size(), (s + 1) * per));
      writeSafetensors(dir.resolve(file), part, dtype);
      part.forEach(n -> map.put(n, file));
    }
    JSON.writeValue(dir.resolve("model.safetensors.index.json").toFile(), index);
    return dir;
  }

  private void writeSafetensors(Path file, List<String> names, String dtype) throws IOException {
    int width = dtype.equals("F32") ? 4 : 2;
    ObjectNode header = JSON.createObjectNode();
    header.putObject("__metadata__").put("format", "pt");
    long offset = 0;
    for (String name : names) {
      ObjectNode t = header.putObject(name);
      t.put("dtype", dtype);
      ArrayNode shape = t.putArray("shape");
      for (long d : shapes.get(name)) {
        shape.add(d);
      }
      long size = (long) weights.get(name).length * width;
      t.putArray("data_offsets").add(offset).add(offset + size);
      offset += size;
    }
    byte[] headerBytes = JSON.writeValueAsString(header).getBytes(StandardCharsets.UTF_8);
    ByteBuffer data = ByteBuffer.allocate((int) offset).order(ByteOrder.LITTLE_ENDIAN);
    for (String name : names) {
      for (float v : weights.get(name)) {
        if (width == 4) {
          data.putFloat(v);
        } else {
          data.putShort((short) (Float.floatToIntBits(v) >>> 16));
        }
      }
    }
    try (OutputStream out = Files.newOutputStream(file)) {
      out.write(
          ByteBuffer.allocate(8)
              .order(ByteOrder.LITTLE_ENDIAN)
              .putLong(headerBytes.length)
              .array());
      out.write(headerBytes);
      out.write(data.array());
    }
  }

  /** Words w1..w(VOCAB-1) map to ids 1.., [UNK] is 0; whitespace-split, lower-cased. */
  static String tokenizerJson() throws IOException {
    ObjectNode root = JSON.createObjectNode();
    root.put("version", "1.0");
    root.putNull("truncation");
    root.putNull("padding");
    ArrayNode added = root.putArray("added_tokens");
    ObjectNode unk = added.addObject();
    unk.put("id", 0)
        .put("content", "[UNK]")
        .put("single_word", false)
        .put("lstrip", false)
        .put("rstrip", false)
        .put("normalized", false)
        .put("special", true);
    root.putObject("normalizer").put("type", "Lowercase");
    root.putObject("pre_tokenizer").put("type", "Whitespace");
    root.putNull("post_processor");
    root.putNull("decoder");
    ObjectNode model = root.putObject("model");
    model.put("type", "WordLevel");
    ObjectNode vocab = model.putObject("vocab");
    vocab.put("[UNK]", 0);
    for (int i = 1; i < VOCAB; i++) {
      vocab.put("w" + i, i);
    }
    model.put("unk_token", "[UNK]");
    return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root);
  }

  /** A random document of {@code words} vocabulary words. */
  public static String randomText(Random rnd, int words) {
    StringBuilder s = new StringBuilder();
    for (int i = 0; i < words; i++) {
      s.append(i == 0 ? "" : " ").append("w").append(1 + rnd.nextInt(VOCAB - 1));
    }
    return s.toString();
  }
}
