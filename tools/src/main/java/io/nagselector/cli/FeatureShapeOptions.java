package io.nagselector.cli;

import picocli.CommandLine.Option;

/**
 * Where a feature file keeps its NAGs and their shape (L layers x K neurons), as rank.py takes
 * them.
 */
final class FeatureShapeOptions {
  @Option(
      names = {"--feature-col", "--feature_col"},
      defaultValue = "fwd_up_feature",
      description = "Column holding {layer_topk_value_index: [...]}.")
  String featureCol;

  @Option(
      names = {"--num-layers", "--num_layers"},
      defaultValue = "28",
      description = "L.")
  int numLayers;

  @Option(
      names = {"--top-k", "--top_k"},
      defaultValue = "20",
      description = "K.")
  int topK;
}
