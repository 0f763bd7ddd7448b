package io.nagselector.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelFingerprintTest {
  private static final ExtractionSettings SETTINGS =
      new ExtractionSettings(4, 16, List.of(NeuronType.FWD_UP), null, 8, 256);

  @TempDir Path dir;

  @Test
  void theFilesGiveTheLoadedModelsFingerprint() throws Exception {
    try (NDManager root = Backbones.newManager(Device.cpu())) {
      Backbones.Loaded loaded = DefaultModel.load(16, root);
      assertThat(ModelFingerprint.ofFiles("default", SETTINGS))
          .isEqualTo(ModelFingerprint.of(loaded, SETTINGS));
      loaded.backbone().close();
      loaded.tokenizer().close();
      for (String family : List.of("llama", "qwen3", "bert")) {
        TinyCheckpoint tiny =
            family.equals("bert") ? TinyCheckpoint.bert(3) : TinyCheckpoint.decoder(family, 3);
        Path model = tiny.write(dir.resolve(family), "F32", 1);
        Backbones.Loaded m = Backbones.load(model, 16, root);
        assertThat(ModelFingerprint.ofFiles(model.toString(), SETTINGS))
            .as(family)
            .isEqualTo(ModelFingerprint.of(m, SETTINGS));
        m.backbone().close();
        m.tokenizer().close();
      }
    }
  }

  @Test
  void anUnsupportedOrMissingModelIsNamed() throws Exception {
    Files.createDirectories(dir.resolve("gpt"));
    Files.writeString(dir.resolve("gpt/config.json"), "{\"model_type\": \"gpt2\"}");
    Files.writeString(dir.resolve("gpt/tokenizer.json"), "{}");
    assertThatThrownBy(() -> ModelFingerprint.ofFiles(dir.resolve("gpt").toString(), SETTINGS))
        .hasMessageContaining("model_type 'gpt2' is not supported");
    assertThatThrownBy(() -> ModelFingerprint.ofFiles(dir.resolve("none").toString(), SETTINGS))
        .hasMessageContaining("cannot read config.json and tokenizer.json");
  }
}
