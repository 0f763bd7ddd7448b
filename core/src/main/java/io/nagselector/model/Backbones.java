package io.nagselector.model;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** Loads a backbone from a Hugging Face checkpoint directory, by its config's model_type. */
public final class Backbones {
  /** A loaded backbone with its tokenizer and the hash of its config. */
  public record Loaded(Backbone backbone, DocTokenizer tokenizer, String configHash) {}

  static {
    // natives come from Maven Central jars; never download anything
    System.setProperty("ai.djl.offline", "true");
  }

  private Backbones() {}

  /** The engine's root manager on CPU (the GPU path is chosen by the caller's device). */
  public static NDManager newManager(ai.djl.Device device) {
    return Engine.getEngine("PyTorch").newBaseManager(device);
  }

  public static Loaded load(Path dir, int maxLength, NDManager manager) {
    return load(dir, maxLength, manager, DataType.FLOAT32);
  }

  /** Loads with its linear layers' matmuls in {@code dtype} (FLOAT32 or FLOAT16). */
  public static Loaded load(Path dir, int maxLength, NDManager manager, DataType dtype) {
    Path file = dir.resolve("config.json");
    if (!Files.exists(file)) {
      throw new ModelException(
          dir + ": config.json is missing (is this a Hugging Face checkpoint?)");
    }
    byte[] bytes;
    JsonNode config;
    try {
      bytes = Files.readAllBytes(file);
      config = new ObjectMapper().readTree(bytes);
    } catch (IOException e) {
      throw new ModelException(file + ": cannot read: " + e.getMessage(), e);
    }
    String type = config.path("model_type").asText("");
    TensorSource weights = Safetensors.open(dir);
    Weights w = new Weights(manager.newSubManager(), weights, dtype);
    Backbone backbone;
    try {
      backbone =
          switch (type) {
            case "llama", "qwen2", "qwen3", "smollm3" ->
                DecoderModel.load(DecoderConfig.from(config, file), w);
            case "bert" -> BertModel.load(BertConfig.from(config, file), w);
            default ->
                throw new ModelException(
                    file
                        + ": model_type '"
                        + type
                        + "' is not supported (llama, qwen2, qwen3, smollm3, bert)");
          };
    } catch (RuntimeException e) {
      w.manager().close();
      throw e;
    }
    DocTokenizer tokenizer =
        DocTokenizer.load(dir.resolve("tokenizer.json"), backbone.vocabSize(), maxLength);
    return new Loaded(backbone, tokenizer, sha256(bytes));
  }

  /** A decoder of the given shape with random weights (benchmarks; no checkpoint, no tokenizer). */
  public static Backbone randomDecoder(
      DecoderConfig config, long seed, NDManager manager, DataType dtype) {
    return DecoderModel.load(
        config, new Weights(manager.newSubManager(), new RandomWeights(seed), dtype));
  }

  static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes), 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
