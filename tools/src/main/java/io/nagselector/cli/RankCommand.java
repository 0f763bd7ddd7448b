package io.nagselector.cli;

import io.nagselector.rank.PoolRanker;
import io.nagselector.rank.RankOptions;
import io.nagselector.rank.RankReport;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code rank}: the published rank.py / rank_with_quality.py, in bounded memory. */
@Command(
    name = "rank",
    mixinStandardHelpOptions = true,
    showDefaultValues = true,
    description = {
      "Rank a pool against a target by NAG distance and select by the paper's token budget.",
      "Drop-in for the reference rank.py (underscore spellings accepted)."
    })
final class RankCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  private PrintWriter out() {
    return spec.commandLine().getOut();
  }

  @Option(
      names = {"--target-features", "--target_features"},
      required = true,
      paramLabel = "F",
      description = "Target feature file, directory or glob (JSONL or Parquet).")
  String targetFeatures;

  @Option(
      names = {"--target-payload", "--target_payload"},
      paramLabel = "P",
      description = "Target payload (needed for --target-filter).")
  String targetPayload;

  @Option(
      names = {"--pool-features", "--pool_features"},
      required = true,
      paramLabel = "F",
      description = "Pool feature file, directory or glob.")
  String poolFeatures;

  @Option(
      names = {"--pool-payload", "--pool_payload"},
      required = true,
      paramLabel = "P",
      description = "Pool payload (Parquet or JSONL) with doc id and token counts.")
  String poolPayload;

  @Option(
      names = {"--output", "--output_path", "--output-path"},
      required = true,
      paramLabel = "OUT",
      description = "Selected rows, .parquet or .jsonl, in selection order, plus nag_distance.")
  Path output;

  @Mixin FeatureShapeOptions shape;

  @Option(
      names = {"--num-neurons", "--num_neurons"},
      defaultValue = "0",
      description = "FFN width N, to reject indices >= N (0: not checked).")
  int numNeurons;

  @Option(names = "--fraction", defaultValue = "0.2", description = "Token-budget fraction r_f.")
  double fraction;

  @Option(
      names = {"--token-col", "--token_col"},
      defaultValue = "token_num")
  String tokenCol;

  @Option(
      names = {"--id-col", "--id_col"},
      defaultValue = "docid")
  String idCol;

  @Option(
      names = {"--target-filter", "--target_filter"},
      description = "Keep only target rows whose filter column equals this.")
  String targetFilter;

  @Option(
      names = {"--target-filter-col", "--target_filter_col"},
      defaultValue = "dataset")
  String targetFilterCol;

  @Option(
      names = {"--quality-col", "--quality_col"},
      description = "Fuse with this quality column (rank_with_quality.py); lower is better.")
  String qualityCol;

  @Option(
      names = {"--invert-quality", "--invert_quality"},
      description = "Higher quality values are better.")
  boolean invertQuality;

  @Option(names = "--layers", description = "Rank on a subset of layers: last, first or 0,5,27.")
  String layers;

  @Option(names = "--power", defaultValue = "1.0", description = "Exponent on profile counts.")
  double power;

  @Option(names = "--strict", description = "Fail when a doc id is in features or payload only.")
  boolean strict;

  @Option(
      names = {"--skip-bad", "--skip_bad"},
      description = "Skip bad rows (written to OUT.rejected.jsonl) instead of failing.")
  boolean skipBad;

  @Mixin QuietOption quiet;

  @Override
  public Integer call() throws Exception {
    RankOptions options =
        new RankOptions(
            targetFeatures,
            targetPayload,
            poolFeatures,
            poolPayload,
            output,
            shape.featureCol,
            shape.numLayers,
            shape.topK,
            numNeurons,
            fraction,
            tokenCol,
            idCol,
            targetFilter,
            targetFilterCol,
            qualityCol,
            invertQuality,
            layers,
            power,
            strict,
            skipBad);
    Progress progress = quiet.progress();
    RankReport r = new PoolRanker(options, progress).run();
    progress.finish();
    out().printf("target: %,d examples, profile %s%n", r.targetExamples(), r.profileFingerprint());
    out()
        .printf(
            "pool: %,d feature rows, %,d payload rows, %,d joined (%,d features without payload, %,d payload rows without features)%n",
            r.poolFeatureRows(),
            r.poolPayloadRows(),
            r.joined(),
            r.featuresWithoutPayload(),
            r.payloadWithoutFeatures());
    if (qualityCol != null) {
      out().printf("quality: %,d rows without '%s' left out%n", r.missingQuality(), qualityCol);
    }
    out()
        .printf("budget: %,d of %,d tokens (fraction %s)%n", r.budget(), r.totalTokens(), fraction);
    out()
        .printf(
            "selected: %,d documents, %,d tokens -> %s%n",
            r.selected(), r.selectedTokens(), output);
    if (r.badRowCount() > 0) {
      out()
          .printf(
              "skipped bad rows: %,d %s -> %s%n", r.badRowCount(), r.badRows(), r.rejectedFile());
    }
    out()
        .printf(
            "time: %.1f s (%,.0f rows/s)%n",
            progress.seconds(), progress.rows() / Math.max(progress.seconds(), 1e-9));
    return 0;
  }
}
