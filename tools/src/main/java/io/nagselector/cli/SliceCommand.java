package io.nagselector.cli;

import io.nagselector.io.BadRows;
import io.nagselector.rank.LayerSlicer;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code slice}: the published slice_layers.py. */
@Command(
    name = "slice",
    mixinStandardHelpOptions = true,
    showDefaultValues = true,
    description = {
      "Keep a subset of layers of every feature (then rank with --num-layers = kept layers).",
      "Drop-in for the reference slice_layers.py."
    })
final class SliceCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  private PrintWriter out() {
    return spec.commandLine().getOut();
  }

  @Option(
      names = {"--input", "--input_glob", "--input-glob"},
      required = true,
      paramLabel = "F")
  String input;

  @Option(
      names = {"--output", "--output_path", "--output-path"},
      required = true,
      paramLabel = "OUT")
  Path output;

  @Mixin FeatureShapeOptions shape;

  @Option(names = "--layers", defaultValue = "last", description = "last, first or 0,5,27")
  String layers;

  @Mixin QuietOption quiet;

  @Override
  public Integer call() throws Exception {
    Progress progress = quiet.progress();
    long rows;
    try (BadRows bad = BadRows.failing()) {
      rows =
          LayerSlicer.slice(
              input, output, shape.featureCol, shape.numLayers, shape.topK, layers, bad, progress);
    }
    progress.finish();
    out().printf("sliced: %,d rows, layers %s -> %s%n", rows, layers, output);
    return 0;
  }
}
