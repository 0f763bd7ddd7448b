package io.nagselector.model;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Everything a feature's meaning depends on: backbone family, config and tokenizer hashes, K, the
 * neuron types, the layers and max_length. Features with different fingerprints are never compared.
 */
public record ModelFingerprint(
    String family,
    String configHash,
    String tokenizerHash,
    int topK,
    List<NeuronType> neuronTypes,
    String layers,
    int maxLength) {

  /** A compact printable form, e.g. {@code bert:1a2b3c4d:5e6f7a8b:k20:fwd_up:all:120}. */
  public String id() {
    return String.join(
        ":",
        family,
        configHash,
        tokenizerHash,
        "k" + topK,
        neuronTypes.stream().map(NeuronType::key).collect(Collectors.joining("+")),
        layers,
        Integer.toString(maxLength));
  }

  /**
   * The fingerprint of {@code model} ('default' or a checkpoint directory) read from its config and
   * tokenizer files, without loading its weights: what a JobManager without the model's GPU, or its
   * memory, can compute. Equal to the loaded model's.
   */
  public static ModelFingerprint ofFiles(String model, ExtractionSettings settings) {
    if (model.equals("default")) {
      return of("bert", DefaultModel.configHash(), DefaultModel.tokenizerHash(), settings);
    }
    Path dir = Path.of(model);
    Path config = dir.resolve("config.json");
    Path tokenizer = dir.resolve("tokenizer.json");
    try {
      byte[] bytes = Files.readAllBytes(config);
      String type = new ObjectMapper().readTree(bytes).path("model_type").asText("");
      if (!List.of("llama", "qwen2", "qwen3", "smollm3", "bert").contains(type)) {
        throw new ModelException(
            config
                + ": model_type '"
                + type
                + "' is not supported (llama, qwen2, qwen3, smollm3, bert)");
      }
      return of(
          type, Backbones.sha256(bytes), Backbones.sha256(Files.readAllBytes(tokenizer)), settings);
    } catch (IOException e) {
      throw new ModelException(model + ": cannot read config.json and tokenizer.json: " + e, e);
    }
  }

  public static ModelFingerprint of(Backbones.Loaded model, ExtractionSettings settings) {
    return of(model.backbone().family(), model.configHash(), model.tokenizer().hash(), settings);
  }

  private static ModelFingerprint of(
      String family, String configHash, String tokenizerHash, ExtractionSettings settings) {
    String layers =
        settings.layers() == null
            ? "all"
            : Arrays.stream(settings.layers())
                .mapToObj(Integer::toString)
                .collect(Collectors.joining(","));
    return new ModelFingerprint(
        family,
        configHash,
        tokenizerHash,
        settings.topK(),
        settings.neuronTypes(),
        layers,
        settings.maxLength());
  }
}
