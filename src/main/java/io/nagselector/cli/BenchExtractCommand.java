package io.nagselector.cli;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.nagselector.model.Backbone;
import io.nagselector.model.Backbones;
import io.nagselector.model.Compute;
import io.nagselector.model.DecoderConfig;
import io.nagselector.model.DefaultModel;
import io.nagselector.model.DocTokenizer;
import io.nagselector.model.ExtractionSettings;
import io.nagselector.model.Extractor;
import io.nagselector.model.NeuronType;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code bench extract}: extraction throughput against the GEMM rate of the model's own shapes. */
@Command(
    name = "extract",
    mixinStandardHelpOptions = true,
    showDefaultValues = true,
    description = {
      "Extraction throughput on documents of 5-150 words (random token ids), with achieved",
      "GFLOP/s and its share of the matmul rate measured in this process on the model's shapes."
    })
final class BenchExtractCommand implements Callable<Integer> {
  /** The Qwen3-shaped random model of the issue: 8 layers, hidden 512, 8 q / 4 kv heads. */
  static final DecoderConfig QWEN3_SHAPED =
      new DecoderConfig(
          "qwen3", 32000, 512, 1536, 8, 8, 4, 64, 1e-6, 1e6, null, false, true, trueArray(8));

  @Spec CommandSpec spec;

  @Option(
      names = "--model",
      defaultValue = "default",
      description = "default (MiniLM), random-qwen3, or a checkpoint directory.")
  String model;

  @Option(names = "--docs", defaultValue = "256")
  int docs;

  @Option(names = "--batch-size", defaultValue = "16")
  int batchSize;

  @Option(names = "--max-length", defaultValue = "120")
  int maxLength;

  @Option(names = "--neuron-types", defaultValue = "fwd_up")
  String neuronTypes;

  @Option(names = "--threads", description = "Intra-op threads (default: all cores).")
  Integer threads;

  @Option(names = "--dtype", defaultValue = "fp32", description = "fp32 or bf16 compute.")
  String dtype;

  private ai.djl.ndarray.types.DataType dtype() {
    return Compute.dtype(dtype);
  }

  private static boolean[] trueArray(int n) {
    boolean[] a = new boolean[n];
    java.util.Arrays.fill(a, true);
    return a;
  }

  @Override
  public Integer call() {
    if (docs <= 0 || batchSize <= 0 || maxLength <= 0) {
      throw new IllegalArgumentException("--docs, --batch-size and --max-length must be positive");
    }
    Threads.configure(threads);
    dtype = Compute.dtypeName(dtype, false, "--dtype");
    var out = spec.commandLine().getOut();
    try (NDManager root = Backbones.newManager(Device.cpu())) {
      Backbone backbone;
      DocTokenizer tokenizer = null;
      if (model.equals("random-qwen3")) {
        backbone = Backbones.randomDecoder(QWEN3_SHAPED, 1, root, dtype());
      } else {
        Backbones.Loaded loaded =
            model.equals("default")
                ? DefaultModel.load(maxLength, root)
                : Backbones.load(Path.of(model), maxLength, root);
        backbone = loaded.backbone();
        tokenizer = loaded.tokenizer();
      }
      try (backbone) {
        ExtractionSettings settings =
            new ExtractionSettings(
                20,
                maxLength,
                NeuronType.parseList(neuronTypes),
                null,
                batchSize,
                batchSize * maxLength);
        int[][] tokens = randomDocuments(backbone.vocabSize());
        boolean upOnly = settings.neuronTypes().equals(List.of(NeuronType.FWD_UP));
        List<String> ids = new ArrayList<>();
        long realTokens = 0;
        double usefulFlops = 0;
        for (int i = 0; i < tokens.length; i++) {
          ids.add("d" + i);
          realTokens += tokens[i].length;
          usefulFlops += backbone.forwardFlops(tokens[i].length, upOnly);
        }
        int warmUp = Math.min(32, tokens.length); // JIT and allocator warm-up
        new Extractor(backbone, tokenizer, settings, root)
            .extractTokenized(ids.subList(0, warmUp), java.util.Arrays.copyOf(tokens, warmUp));
        Extractor extractor = new Extractor(backbone, tokenizer, settings, root);
        long start = System.nanoTime();
        extractor.extractTokenized(ids, tokens);
        double seconds = (System.nanoTime() - start) / 1e9;
        double roofline = gemmRate(root, batchSize * (int) (realTokens / tokens.length), backbone);
        double achieved = usefulFlops / seconds / 1e9;
        out.printf(
            "model=%s dtype=%s layers=%d threads=%s batch=%d max_length=%d docs=%d%n",
            model,
            dtype,
            backbone.numLayers(),
            System.getProperty("ai.djl.pytorch.num_threads"),
            batchSize,
            maxLength,
            docs);
        out.printf("docs/s=%.1f tokens/s=%.0f%n", docs / seconds, realTokens / seconds);
        out.printf(
            "achieved GFLOP/s=%.1f (FLOPs the forward needs on real tokens, padding excluded)%n",
            achieved);
        out.printf(
            "roofline GFLOP/s=%.1f (fp32 matmul on this model's FFN shape, same process)%n",
            roofline);
        out.printf("share of roofline=%.0f%%%n", 100 * achieved / roofline);
        out.printf(
            "padding waste=%.1f%%%n",
            100.0 * (extractor.paddedTokens() - realTokens) / extractor.paddedTokens());
      } finally {
        if (tokenizer != null) {
          tokenizer.close();
        }
      }
    }
    return 0;
  }

  /** Documents of 5-150 words as random token ids (one token per word), truncated to max length. */
  private int[][] randomDocuments(int vocab) {
    SplittableRandom rnd = new SplittableRandom(42);
    int[][] tokens = new int[docs][];
    for (int i = 0; i < docs; i++) {
      tokens[i] = new int[Math.min(maxLength, 5 + rnd.nextInt(146))];
      for (int t = 0; t < tokens[i].length; t++) {
        tokens[i][t] = 1 + rnd.nextInt(vocab - 1);
      }
    }
    return tokens;
  }

  /** GFLOP/s of [rows x hidden] . [hidden x intermediate], the model's largest projection. */
  private static double gemmRate(NDManager root, int rows, Backbone backbone) {
    int hidden = backbone.width(NeuronType.FWD_DOWN);
    int inter = backbone.width(NeuronType.FWD_UP);
    try (NDManager m = root.newSubManager()) {
      NDArray x = m.randomNormal(new Shape(rows, hidden));
      NDArray w = m.randomNormal(new Shape(inter, hidden)).transpose();
      for (int i = 0; i < 5; i++) {
        x.matMul(w).close();
      }
      int reps = 40;
      long start = System.nanoTime();
      for (int i = 0; i < reps; i++) {
        x.matMul(w).close();
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      return reps * 2.0 * rows * hidden * inter / seconds / 1e9;
    }
  }
}
