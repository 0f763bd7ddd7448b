package io.nagselector.bench;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.nagselector.model.Backbone;
import io.nagselector.model.Backbones;
import io.nagselector.model.Compute;
import io.nagselector.model.DecoderConfig;
import io.nagselector.model.DefaultModel;
import io.nagselector.model.DocTokenizer;
import io.nagselector.model.ExtractionResult;
import io.nagselector.model.ExtractionSettings;
import io.nagselector.model.Extractor;
import io.nagselector.model.NeuronType;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * {@code bench extract}: extraction throughput on documents of 5-150 words (random token ids), with
 * achieved GFLOP/s and its share of the matmul rate measured in this process on the model's shapes.
 *
 * @param model default (MiniLM), random-qwen3, random-qwen3-0.6b, or a checkpoint directory
 * @param neuronTypes the neuron types, as the config lists them (e.g. fwd_up)
 * @param device where the forwards run (libtorch's threads already set)
 * @param dtypeName the checked compute type, e.g. fp32
 */
public record ExtractBench(
    String model,
    int docs,
    int batchSize,
    int maxLength,
    String neuronTypes,
    Device device,
    String dtypeName) {
  /** The Qwen3-shaped random model of the issue: 8 layers, hidden 512, 8 q / 4 kv heads. */
  private static final DecoderConfig QWEN3_SHAPED =
      new DecoderConfig(
          "qwen3", 32000, 512, 1536, 8, 8, 4, 64, 1e-6, 1e6, null, false, true, trueArray(8));

  /** The shapes of Qwen3-0.6B (28 layers, hidden 1024, 16 q / 8 kv heads of 128), for GPUs. */
  private static final DecoderConfig QWEN3_0_6B_SHAPED =
      new DecoderConfig(
          "qwen3", 151936, 1024, 3072, 28, 16, 8, 128, 1e-6, 1e6, null, false, true, trueArray(28));

  public ExtractBench {
    if (docs <= 0 || batchSize <= 0 || maxLength <= 0) {
      throw new IllegalArgumentException("--docs, --batch-size and --max-length must be positive");
    }
  }

  private DataType dtype() {
    return Compute.dtype(dtypeName);
  }

  private static boolean[] trueArray(int n) {
    boolean[] a = new boolean[n];
    Arrays.fill(a, true);
    return a;
  }

  /** Runs the extraction and the matmuls, and prints their rates. */
  public void run(PrintWriter out) {
    Device target = device;
    String dtype = dtypeName;
    try (NDManager root = Backbones.newManager(target)) {
      Backbones.Loaded loaded = load(root);
      Backbone backbone = loaded.backbone();
      DocTokenizer tokenizer = loaded.tokenizer();
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
            .extractTokenized(ids.subList(0, warmUp), Arrays.copyOf(tokens, warmUp));
        Extractor extractor = new Extractor(backbone, tokenizer, settings, root);
        long start = System.nanoTime();
        List<ExtractionResult> results = extractor.extractTokenized(ids, tokens);
        double seconds = (System.nanoTime() - start) / 1e9;
        double roofline =
            gemmRate(root, batchSize * (int) (realTokens / tokens.length), backbone, dtype());
        double achieved = usefulFlops / seconds / 1e9;
        out.printf(
            "model=%s device=%s dtype=%s layers=%d threads=%s batch=%d max_length=%d docs=%d%n",
            model,
            target,
            dtype,
            backbone.numLayers(),
            System.getProperty("ai.djl.pytorch.num_threads"),
            batchSize,
            maxLength,
            docs);
        out.printf("docs/s=%.1f tokens/s=%.0f%n", docs / seconds, realTokens / seconds);
        results.stream()
            .filter(r -> r instanceof ExtractionResult.Failure)
            .findFirst()
            .ifPresent(
                first ->
                    out.printf(
                        "FAILED documents=%d, the first: %s%n",
                        results.stream().filter(r -> r instanceof ExtractionResult.Failure).count(),
                        first));
        out.printf(
            "achieved GFLOP/s=%.1f (FLOPs the forward needs on real tokens, padding excluded)%n",
            achieved);
        out.printf(
            "roofline GFLOP/s=%.1f (%s matmul on this model's FFN shape, same process)%n",
            roofline, dtype);
        out.printf("share of roofline=%.0f%%%n", 100 * achieved / roofline);
        out.printf(
            "padding waste=%.1f%%%n",
            100.0 * (extractor.paddedTokens() - realTokens) / extractor.paddedTokens());
        // what a TaskManager must budget outside its heap for this model and batch (one worker)
        out.println(ProcessMemory.now());
        if (target.isGpu() || dtype() != DataType.FLOAT32) { // against the CPU's fp32 forward
          int n = Math.min(64, docs);
          out.println(
              agreementWithCpu(
                  target + " " + dtype,
                  results.subList(0, n),
                  ids.subList(0, n),
                  tokens,
                  settings));
        }
      } finally {
        if (tokenizer != null) {
          tokenizer.close();
        }
      }
    }
  }

  private Backbones.Loaded load(NDManager root) {
    return load(root, dtype());
  }

  private Backbones.Loaded load(NDManager root, DataType dtype) {
    if (model.equals("random-qwen3") || model.equals("random-qwen3-0.6b")) {
      DecoderConfig shape = model.equals("random-qwen3") ? QWEN3_SHAPED : QWEN3_0_6B_SHAPED;
      return new Backbones.Loaded(Backbones.randomDecoder(shape, 1, root, dtype), null, model);
    }
    return model.equals("default")
        ? DefaultModel.load(maxLength, root, dtype)
        : Backbones.load(Path.of(model), maxLength, root, dtype);
  }

  /**
   * Runs the first documents again with the same weights on the CPU in fp32 and counts the
   * (document, layer, type) triples whose top-K neuron sets are the same, and those in the same
   * order too, and the mean overlap of the sets (|measured ∩ CPU fp32| / K), overall and for the
   * lowest (type, layer).
   */
  private String agreementWithCpu(
      String measured,
      List<ExtractionResult> gpu,
      List<String> ids,
      int[][] tokens,
      ExtractionSettings settings) {
    try (NDManager cpuRoot = Backbones.newManager(Device.cpu())) {
      Backbones.Loaded loaded = load(cpuRoot, DataType.FLOAT32);
      try (Backbone cpuBackbone = loaded.backbone()) {
        List<ExtractionResult> cpu =
            new Extractor(cpuBackbone, loaded.tokenizer(), settings, cpuRoot)
                .extractTokenized(ids, Arrays.copyOf(tokens, ids.size()));
        int triples = 0;
        int sameSet = 0;
        int sameOrder = 0;
        long overlapping = 0;
        Map<String, long[]> perLayer = new TreeMap<>(); // type/slot -> overlapping, slots
        int k = settings.topK();
        List<String> failures = new ArrayList<>();
        for (int d = 0; d < ids.size(); d++) {
          if (!(gpu.get(d) instanceof ExtractionResult.Features gf)
              || !(cpu.get(d) instanceof ExtractionResult.Features cf)) {
            failures.add(gpu.get(d) + " / " + cpu.get(d));
            continue;
          }
          var g = gf.features();
          var c = cf.features();
          for (NeuronType type : settings.neuronTypes()) {
            int[] a = g.get(type);
            int[] b = c.get(type);
            for (int from = 0; from < a.length; from += k) {
              int[] x = Arrays.copyOfRange(a, from, from + k);
              int[] y = Arrays.copyOfRange(b, from, from + k);
              triples++;
              sameOrder += Arrays.equals(x, y) ? 1 : 0;
              Arrays.sort(x);
              Arrays.sort(y);
              sameSet += Arrays.equals(x, y) ? 1 : 0;
              long common = Arrays.stream(x).filter(i -> Arrays.binarySearch(y, i) >= 0).count();
              overlapping += common;
              long[] layer = perLayer.computeIfAbsent(type + "/" + from / k, l -> new long[2]);
              layer[0] += common;
              layer[1] += k;
            }
          }
        }
        double lowest =
            perLayer.values().stream().mapToDouble(l -> (double) l[0] / l[1]).min().orElse(1);
        return String.format(
            "%s vs cpu fp32 on %d docs: mean top-%d overlap %.4f (lowest layer %.4f), same set"
                + " %.1f%%, same order %.1f%% of %d (doc, layer, type) triples; %d documents"
                + " failed on either side%s",
            measured,
            ids.size(),
            k,
            (double) overlapping / ((long) triples * k),
            lowest,
            100.0 * sameSet / triples,
            100.0 * sameOrder / triples,
            triples,
            failures.size(),
            failures.isEmpty() ? "" : ", the first: " + failures.get(0));
      } finally {
        if (loaded.tokenizer() != null) {
          loaded.tokenizer().close();
        }
      }
    }
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

  /**
   * GFLOP/s of [rows x hidden] . [hidden x intermediate], the model's largest projection. Each
   * product's first element is read back, so a GPU's queue is drained before the clock stops.
   */
  private static double gemmRate(NDManager root, int rows, Backbone backbone, DataType type) {
    int hidden = backbone.width(NeuronType.FWD_DOWN);
    int inter = backbone.width(NeuronType.FWD_UP);
    try (NDManager m = root.newSubManager()) {
      NDArray x = m.randomNormal(new Shape(rows, hidden)).toType(type, false);
      NDArray w = m.randomNormal(new Shape(inter, hidden)).toType(type, false).transpose();
      for (int i = 0; i < 5; i++) {
        x.matMul(w).close();
      }
      int reps = 40;
      long start = System.nanoTime();
      NDArray last = null;
      for (int i = 0; i < reps; i++) {
        if (last != null) {
          last.close();
        }
        last = x.matMul(w);
      }
      last.get(0, 0).toType(DataType.FLOAT32, false).getFloat();
      double seconds = (System.nanoTime() - start) / 1e9;
      return reps * 2.0 * rows * hidden * inter / seconds / 1e9;
    }
  }
}
