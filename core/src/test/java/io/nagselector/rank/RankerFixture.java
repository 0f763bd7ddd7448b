package io.nagselector.rank;

import java.io.IOException;
import java.nio.file.Path;

/** Builds {@link RankOptions} for tests, starting from the reference's defaults. */
final class RankerFixture {
  private final Path dir;
  private final int numLayers;
  private final int topK;
  private String targetPayload;
  private String targetFilter;
  private double fraction = 0.2;
  private String qualityColumn;
  private boolean invertQuality;
  private String layers;
  private double power = 1.0;
  private boolean strict;
  private boolean skipBad;
  private String output = "out.jsonl";

  private RankerFixture(Path dir, int numLayers, int topK) {
    this.dir = dir;
    this.numLayers = numLayers;
    this.topK = topK;
  }

  static RankerFixture in(Path dir, int numLayers, int topK) {
    return new RankerFixture(dir, numLayers, topK);
  }

  RankerFixture fraction(double f) {
    fraction = f;
    return this;
  }

  RankerFixture quality(String column, boolean invert) {
    qualityColumn = column;
    invertQuality = invert;
    return this;
  }

  RankerFixture targetFilter(String payload, String value) {
    targetPayload = payload;
    targetFilter = value;
    return this;
  }

  RankerFixture layers(String spec) {
    layers = spec;
    return this;
  }

  RankerFixture power(double p) {
    power = p;
    return this;
  }

  RankerFixture strict() {
    strict = true;
    return this;
  }

  RankerFixture skipBad() {
    skipBad = true;
    return this;
  }

  RankerFixture output(String name) {
    output = name;
    return this;
  }

  Path outputPath() {
    return dir.resolve(output);
  }

  RankOptions options(String targetFeatures, String poolFeatures, String poolPayload) {
    return new RankOptions(
        dir.resolve(targetFeatures).toString(),
        targetPayload == null ? null : dir.resolve(targetPayload).toString(),
        dir.resolve(poolFeatures).toString(),
        dir.resolve(poolPayload).toString(),
        dir.resolve(output),
        "fwd_up_feature",
        numLayers,
        topK,
        0,
        fraction,
        "token_num",
        "docid",
        targetFilter,
        "dataset",
        qualityColumn,
        invertQuality,
        layers,
        power,
        strict,
        skipBad);
  }

  RankReport run(String targetFeatures, String poolFeatures, String poolPayload)
      throws IOException {
    return new PoolRanker(options(targetFeatures, poolFeatures, poolPayload), n -> {}).run();
  }
}
