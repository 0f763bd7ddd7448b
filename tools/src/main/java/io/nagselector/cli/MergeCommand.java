package io.nagselector.cli;

import io.nagselector.rank.Merger;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code merge}: the published merge_multitarget.py. */
@Command(
    name = "merge",
    mixinStandardHelpOptions = true,
    showDefaultValues = true,
    description = {
      "Concatenate per-target selections (each ranked with fraction r_f/M) in the given order.",
      "Drop-in for the reference merge_multitarget.py."
    })
final class MergeCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  private PrintWriter out() {
    return spec.commandLine().getOut();
  }

  @Option(
      names = {"--inputs", "--input_paths", "--input-paths"},
      required = true,
      arity = "1..*",
      paramLabel = "IN",
      description = "Selections to concatenate, in order.")
  List<String> inputs;

  @Option(
      names = {"--output", "--output_path", "--output-path"},
      required = true,
      paramLabel = "OUT",
      description = ".parquet or .jsonl")
  Path output;

  @Option(
      names = {"--dedupe", "--deduplicate"},
      description = "Keep only the first row of each doc id.")
  boolean dedupe;

  @Option(
      names = {"--id-col", "--id_col"},
      defaultValue = "docid")
  String idCol;

  @Mixin QuietOption quiet;

  @Override
  public Integer call() throws Exception {
    Progress progress = quiet.progress();
    Merger.Result result = Merger.merge(inputs, output, idCol, dedupe, progress);
    progress.finish();
    out()
        .printf(
            "merged: %,d rows -> %s%s%n",
            result.written(),
            output,
            dedupe ? String.format(" (%,d duplicates dropped)", result.duplicatesDropped()) : "");
    return 0;
  }
}
