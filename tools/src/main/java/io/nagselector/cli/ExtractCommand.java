package io.nagselector.cli;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import io.nagselector.batch.ExtractJob;
import io.nagselector.io.InputPaths;
import io.nagselector.io.RowFiles;
import io.nagselector.model.Backbones;
import io.nagselector.model.DefaultModel;
import io.nagselector.model.ExtractionSettings;
import io.nagselector.model.Extractor;
import io.nagselector.model.ModelFingerprint;
import io.nagselector.model.NeuronType;
import io.nagselector.nag.LayerSelection;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code extract}: NAG features of payload files, in the reference's feature format. */
@Command(
    name = "extract",
    mixinStandardHelpOptions = true,
    showDefaultValues = true,
    description = {
      "Extract NAG features (top-K most impactful neurons per layer) with a frozen backbone.",
      "Writes one <input>.jsonl per input file, <input>.errors.jsonl for failed documents and"
          + " _meta.json with the model fingerprint."
    })
final class ExtractCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(
      names = "--model",
      defaultValue = "default",
      description = "A Hugging Face checkpoint directory, or 'default' (bundled all-MiniLM-L6-v2).")
  String model;

  @Option(
      names = "--input",
      required = true,
      paramLabel = "IN",
      description = "Payload file, directory or glob (Parquet or JSONL).")
  String input;

  @Option(names = "--output", required = true, paramLabel = "DIR")
  Path output;

  @Option(
      names = {"--text-col", "--text_col"},
      defaultValue = "doc",
      description = "Text column; a dotted path such as content_split also works.")
  String textCol;

  @Option(
      names = {"--id-col", "--id_col"},
      defaultValue = "docid",
      description = "Doc id column; a dotted path such as meta.docid also works.")
  String idCol;

  @Option(
      names = {"--top-k", "--top_k"},
      defaultValue = "20")
  int topK;

  @Option(
      names = {"--max-length", "--max_length"},
      defaultValue = "120")
  int maxLength;

  @Option(
      names = "--neuron-types",
      defaultValue = "fwd_up",
      description = "Any of fwd_up, fwd_down, att_q, att_k, att_v, att_o, comma-separated.")
  String neuronTypes;

  @Option(names = "--layers", defaultValue = "all", description = "all, last, first or 0,5,27.")
  String layers;

  @Option(
      names = {"--batch-size", "--batch_size"},
      defaultValue = "16")
  int batchSize;

  @Option(
      names = "--max-batch-tokens",
      defaultValue = "4096",
      description = "Cap on batch size x longest document (padded tokens).")
  int maxBatchTokens;

  @Mixin ComputeOptions compute;

  @Option(names = "--overwrite", description = "Redo files whose output already exists.")
  boolean overwrite;

  @Mixin QuietOption quiet;

  @Override
  public Integer call() throws Exception {
    Device target = compute.start();
    try (NDManager root = Backbones.newManager(target)) {
      Backbones.Loaded loaded =
          model.equals("default")
              ? DefaultModel.load(maxLength, root, compute.dataType())
              : Backbones.load(Path.of(model), maxLength, root, compute.dataType());
      try (var backbone = loaded.backbone();
          var tokenizer = loaded.tokenizer()) {
        int[] layerList =
            layers.equals("all")
                ? null
                : LayerSelection.parse(layers, backbone.numLayers()).layers();
        ExtractionSettings settings =
            new ExtractionSettings(
                topK,
                maxLength,
                NeuronType.parseList(neuronTypes),
                layerList,
                batchSize,
                maxBatchTokens);
        Extractor extractor = new Extractor(backbone, tokenizer, settings, root);
        ModelFingerprint fingerprint = ModelFingerprint.of(loaded, settings);
        Progress progress =
            quiet.progress().of("docs", RowFiles.countRows(InputPaths.expand(input, "--input")));
        ExtractJob.Summary s =
            new ExtractJob(extractor, fingerprint, idCol, textCol, progress)
                .run(input, output, overwrite);
        progress.finish();
        var out = spec.commandLine().getOut();
        out.printf(
            "model: %s (%d layers), fingerprint %s%n",
            backbone.family(), backbone.numLayers(), fingerprint.id());
        out.printf(
            "files: %d extracted, %d skipped (already done; --overwrite to redo) -> %s%n",
            s.filesDone(), s.filesSkipped(), output);
        out.printf(
            "docs: %,d extracted, %,d failed (see *.errors.jsonl), %,d tokens%n",
            s.docs() - s.failed(), s.failed(), s.tokens());
        out.printf(
            "time: %.1f s (%,.1f docs/s)%n",
            progress.seconds(), s.docs() / Math.max(progress.seconds(), 1e-9));
      }
    }
    return 0;
  }
}
