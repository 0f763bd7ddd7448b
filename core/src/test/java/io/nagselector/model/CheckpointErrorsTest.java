package io.nagselector.model;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Unusable checkpoints fail at load with the file, the tensor and the expected shape. */
class CheckpointErrorsTest extends EngineTest {
  @TempDir Path dir;

  @Test
  void unsupportedModelType() throws IOException {
    TinyCheckpoint c = TinyCheckpoint.decoder("llama", 1);
    c.config.put("model_type", "gpt2");
    Path path = c.write(dir.resolve("m"), "F32", 1);
    assertThatThrownBy(() -> Backbones.load(path, 16, root))
        .isInstanceOf(ModelException.class)
        .hasMessage(
            path.resolve("config.json")
                + ": model_type 'gpt2' is not supported (llama, qwen2, qwen3, smollm3, bert)");
  }

  @Test
  void missingTensor() throws IOException {
    TinyCheckpoint c = TinyCheckpoint.decoder("qwen2", 1);
    c.weights.remove("model.layers.1.self_attn.k_proj.bias");
    c.shapes.remove("model.layers.1.self_attn.k_proj.bias");
    Path path = c.write(dir.resolve("m"), "F32", 1);
    assertThatThrownBy(() -> Backbones.load(path, 16, root))
        .hasMessage(
            path
                + ": tensor model.layers.1.self_attn.k_proj.bias is missing (expected shape [16])");
  }

  @Test
  void misShapedTensor() throws IOException {
    TinyCheckpoint c = TinyCheckpoint.decoder("llama", 1);
    c.shapes.put("model.layers.0.mlp.up_proj.weight", new long[] {32, 48});
    Path path = c.write(dir.resolve("m"), "F32", 1);
    assertThatThrownBy(() -> Backbones.load(path, 16, root))
        .hasMessage(
            path
                + ": tensor model.layers.0.mlp.up_proj.weight has shape [32, 48], expected [48, 32]");
  }

  @Test
  void tokenizerLargerThanTheVocabulary() throws IOException {
    TinyCheckpoint c = TinyCheckpoint.decoder("llama", 1);
    c.config.put("vocab_size", 10);
    c.weights.put("model.embed_tokens.weight", new float[10 * 32]);
    c.shapes.put("model.embed_tokens.weight", new long[] {10, 32});
    Path path = c.write(dir.resolve("m"), "F32", 1);
    assertThatThrownBy(() -> Backbones.load(path, 16, root))
        .hasMessage(
            path.resolve("tokenizer.json")
                + ": token id 63 does not fit the model's vocab_size 10");
  }

  @Test
  void missingConfigAndWeights() throws IOException {
    Files.createDirectories(dir.resolve("empty"));
    assertThatThrownBy(() -> Backbones.load(dir.resolve("empty"), 16, root))
        .hasMessage(
            dir.resolve("empty") + ": config.json is missing (is this a Hugging Face checkpoint?)");
    Files.writeString(dir.resolve("empty/config.json"), "{\"model_type\": \"llama\"}");
    assertThatThrownBy(() -> Backbones.load(dir.resolve("empty"), 16, root))
        .hasMessage(
            dir.resolve("empty")
                + ": no model.safetensors or model.safetensors.index.json in the checkpoint");
  }
}
