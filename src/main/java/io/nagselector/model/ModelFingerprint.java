package io.nagselector.model;

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

  public static ModelFingerprint of(Backbones.Loaded model, ExtractionSettings settings) {
    String layers =
        settings.layers() == null
            ? "all"
            : java.util.Arrays.stream(settings.layers())
                .mapToObj(Integer::toString)
                .collect(Collectors.joining(","));
    return new ModelFingerprint(
        model.backbone().family(),
        model.configHash(),
        model.tokenizer().hash(),
        settings.topK(),
        settings.neuronTypes(),
        layers,
        settings.maxLength());
  }
}
