package io.nagselector.rank;

import java.nio.file.Path;

/** Everything {@code rank} needs; mirrors the reference script's arguments. */
public record RankOptions(
    String targetFeatures,
    String targetPayload,
    String poolFeatures,
    String poolPayload,
    Path output,
    String featureColumn,
    int numLayers,
    int topK,
    int numNeurons,
    double fraction,
    String tokenColumn,
    String idColumn,
    String targetFilter,
    String targetFilterColumn,
    String qualityColumn,
    boolean invertQuality,
    String layers,
    double power,
    boolean strict,
    boolean skipBad) {

  /** The file that rejected rows go to with {@code --skip-bad}. */
  public Path rejectedFile() {
    return Path.of(output + ".rejected.jsonl");
  }
}
