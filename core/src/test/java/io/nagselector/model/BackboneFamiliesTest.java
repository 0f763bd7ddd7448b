package io.nagselector.model;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every family's DJL forward against the independent double-precision reference, on a right-padded
 * batch of mixed-length documents: impacts within 1e-4 relative, top-K sets on at least 99% of
 * (doc, layer, type) triples.
 */
class BackboneFamiliesTest extends EngineTest {
  @TempDir Path dir;

  @ParameterizedTest
  @ValueSource(strings = {"llama", "qwen2", "qwen3", "smollm3", "bert"})
  void matchesTheReferenceForward(String family) throws IOException {
    TinyCheckpoint checkpoint = tiny(family, 7);
    compare(checkpoint, checkpoint.write(dir.resolve(family), "F32", 1));
  }

  /**
   * fp16 matmuls with the residual stream, norms and impacts in fp32: each (type, layer)'s top-K
   * overlaps the double-precision reference's by at least 0.99 on average over the batch.
   */
  @ParameterizedTest
  @ValueSource(strings = {"llama", "qwen2", "qwen3", "smollm3", "bert"})
  void halfPrecisionMatmulsKeepTheReferenceTopK(String family) throws IOException {
    TinyCheckpoint checkpoint = tiny(family, 7);
    Path path = checkpoint.write(dir.resolve(family), "F32", 1);
    List<int[]> docs = docs(64);
    Map<String, Double> overlaps = new TreeMap<>();
    ReferenceForward reference = new ReferenceForward(checkpoint);
    List<Map<NeuronType, double[][]>> expected = new ArrayList<>();
    for (int[] doc : docs) {
      expected.add(family.equals("bert") ? reference.bert(doc) : reference.decoder(doc));
    }
    try (Forward half = Forward.run(path, root, DataType.FLOAT16, docs)) {
      for (NeuronType type : NeuronType.values()) {
        for (int l = 0; l < half.layers(); l++) {
          double sum = 0;
          for (int d = 0; d < docs.size(); d++) {
            sum += overlap(half.impacts(l, type, d), expected.get(d).get(type)[l], HALF_K);
          }
          overlaps.put(type.key() + "/layer " + l, sum / docs.size());
        }
      }
    }
    System.out.printf("%s fp16 top-%d overlap with the reference: %s%n", family, HALF_K, overlaps);
    assertThat(overlaps).allSatisfy((where, o) -> assertThat(o).as(where).isGreaterThan(0.99));
  }

  /** The extractor's top K, chosen on the device, is the host's over whole rows, in its order. */
  @ParameterizedTest
  @ValueSource(strings = {"llama", "qwen2", "qwen3", "smollm3", "bert"})
  void theDeviceTopKIsTheHostTopK(String family) throws IOException {
    TinyCheckpoint checkpoint = tiny(family, 9);
    Path path = checkpoint.write(dir.resolve(family), "F32", 1);
    List<int[]> docs = docs(32);
    int k = 20;
    try (Forward rows = Forward.run(path, root, DataType.FLOAT32, docs);
        Forward tops = Forward.run(path, root, DataType.FLOAT32, docs, k)) {
      for (NeuronType type : NeuronType.values()) {
        for (int l = 0; l < rows.layers(); l++) {
          for (int d = 0; d < docs.size(); d++) {
            int[] host = new int[k];
            TopK.select(rows.impacts(l, type, d), k, host, 0);
            assertThat(tops.impacts().top(l, type)[d])
                .as("%s layer %d doc %d", type, l, d)
                .isEqualTo(host);
          }
        }
      }
    }
  }

  @Test
  void loadsAShardedBf16Checkpoint() throws IOException {
    TinyCheckpoint checkpoint = TinyCheckpoint.decoder("qwen3", 11).roundToBf16();
    compare(checkpoint, checkpoint.write(dir.resolve("bf16"), "BF16", 3));
  }

  private static final int K = 5;

  private static TinyCheckpoint tiny(String family, long seed) {
    return family.equals("bert") ? TinyCheckpoint.bert(seed) : TinyCheckpoint.decoder(family, seed);
  }

  private static final int HALF_K = 10;

  /** Right-padded documents of 1 to 20 tokens. */
  private static List<int[]> docs(int count) {
    Random rnd = new Random(3);
    List<int[]> docs = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      int[] ids = new int[1 + rnd.nextInt(20)];
      for (int t = 0; t < ids.length; t++) {
        ids[t] = 1 + rnd.nextInt(TinyCheckpoint.VOCAB - 1);
      }
      docs.add(ids);
    }
    return docs;
  }

  /** One batch forward of every layer and neuron type, in the given matmul type. */
  private record Forward(Backbones.Loaded loaded, NDManager batch, Impacts impacts)
      implements AutoCloseable {
    static Forward run(Path path, NDManager root, DataType dtype, List<int[]> docs) {
      return run(path, root, dtype, docs, 0);
    }

    static Forward run(Path path, NDManager root, DataType dtype, List<int[]> docs, int topK) {
      int maxLength = docs.stream().mapToInt(d -> d.length).max().orElseThrow();
      int[] lengths = docs.stream().mapToInt(d -> d.length).toArray();
      Backbones.Loaded loaded = Backbones.load(path, 120, root, dtype);
      NDManager batch = root.newSubManager();
      boolean[] layers = new boolean[loaded.backbone().numLayers()];
      Arrays.fill(layers, true);
      Impacts impacts =
          new Impacts(batch, List.of(NeuronType.values()), layers, lengths, maxLength, topK);
      loaded.backbone().forward(batch, docs.toArray(int[][]::new), maxLength, impacts);
      return new Forward(loaded, batch, impacts);
    }

    int layers() {
      return loaded.backbone().numLayers();
    }

    float[] impacts(int layer, NeuronType type, int doc) {
      return impacts.get(layer, type)[doc];
    }

    @Override
    public void close() {
      batch.close();
      loaded.backbone().close();
      loaded.tokenizer().close();
    }
  }

  private void compare(TinyCheckpoint checkpoint, Path path) {
    List<int[]> docs = docs(12);
    ReferenceForward reference = new ReferenceForward(checkpoint);
    try (Forward forward = Forward.run(path, root, DataType.FLOAT32, docs)) {
      Backbone backbone = forward.loaded().backbone();
      Impacts impacts = forward.impacts();
      int triples = 0;
      int agreeing = 0;
      List<String> disagreeing = new ArrayList<>();
      for (int d = 0; d < docs.size(); d++) {
        Map<NeuronType, double[][]> expected =
            checkpoint.config.path("model_type").asText().equals("bert")
                ? reference.bert(docs.get(d))
                : reference.decoder(docs.get(d));
        for (NeuronType type : NeuronType.values()) {
          for (int l = 0; l < backbone.numLayers(); l++) {
            float[] ours = impacts.get(l, type)[d];
            double[] theirs = expected.get(type)[l];
            assertThat(ours).hasSize(theirs.length);
            for (int i = 0; i < ours.length; i++) {
              assertThat((double) ours[i])
                  .as("%s doc %d layer %d neuron %d", type, d, l, i)
                  .isCloseTo(theirs[i], Assertions.within(1e-4 * Math.abs(theirs[i]) + 1e-6));
            }
            triples++;
            if (overlap(ours, theirs, K) == 1) {
              agreeing++;
            } else {
              disagreeing.add(type.key() + "/layer " + l + "/doc " + d);
            }
          }
        }
      }
      assertThat((double) agreeing / triples).as("%s", disagreeing).isGreaterThanOrEqualTo(0.99);
    }
  }

  /**
   * A forward frees each layer's intermediates when the layer ends: what the batch still holds
   * afterwards does not grow with the number of layers run (it did, by about a dozen arrays a
   * layer, and a GPU ran out of memory).
   */
  @ParameterizedTest
  @ValueSource(strings = {"qwen3", "bert"})
  void aForwardDoesNotKeepEachLayersActivations(String family) throws IOException {
    TinyCheckpoint checkpoint = tiny(family, 5);
    Backbones.Loaded loaded =
        Backbones.load(checkpoint.write(dir.resolve(family), "F32", 1), 120, root);
    int[][] docs = {{3, 4, 5, 6}, {7, 8}};
    try (Backbone backbone = loaded.backbone()) {
      int layers = backbone.numLayers();
      assertThat(layers).isGreaterThan(1);
      assertThat(arraysLeftByForward(backbone, docs, 1))
          .isEqualTo(arraysLeftByForward(backbone, docs, layers));
    } finally {
      loaded.tokenizer().close();
    }
  }

  private int arraysLeftByForward(Backbone backbone, int[][] docs, int layersRun) {
    try (NDManager batch = root.newSubManager()) {
      boolean[] layers = new boolean[backbone.numLayers()];
      layers[layersRun - 1] = true;
      Impacts impacts = new Impacts(batch, List.of(NeuronType.FWD_UP), layers, new int[] {4, 2}, 4);
      int before = batch.getManagedArrays().size();
      backbone.forward(batch, docs, 4, impacts);
      return batch.getManagedArrays().size() - before;
    }
  }

  /** The share of the reference's top-k that ours holds too. */
  private static double overlap(float[] ours, double[] theirs, int k) {
    float[] asFloat = new float[theirs.length];
    for (int i = 0; i < theirs.length; i++) {
      asFloat[i] = (float) theirs[i];
    }
    int[] a = new int[k];
    int[] b = new int[k];
    TopK.select(ours, k, a, 0);
    TopK.select(asFloat, k, b, 0);
    Set<Integer> common = new HashSet<>();
    Arrays.stream(a).forEach(common::add);
    return Arrays.stream(b).filter(common::contains).count() / (double) k;
  }
}
