package io.nagselector.nag;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ProfileMatrixTest {

  static NagFeature randomFeature(Random rnd, String id, int layers, int topK, int neurons) {
    int[] idx = new int[layers * topK];
    for (int l = 0; l < layers; l++) {
      int[] perm = rnd.ints(0, neurons).distinct().limit(topK).toArray();
      System.arraycopy(perm, 0, idx, l * topK, topK);
    }
    return NagFeature.of(id, layers, topK, neurons, idx);
  }

  @ParameterizedTest
  @CsvSource({"4, 5, 40, 1", "6, 20, 300, 3", "3, 200, 400, 7", "2, 8, 12, 2"})
  void matchesScalarSimilarityBitForBit(int layers, int topK, int neurons, int targets) {
    Random rnd = new Random(layers * 1000L + topK);
    List<TargetProfile> profiles = new ArrayList<>();
    for (int t = 0; t < targets; t++) {
      TargetProfile.Builder b = TargetProfile.builder(layers, topK, 0).power(t % 2 == 0 ? 1 : 0.5);
      // narrower examples than the docs: docs also hit neurons outside every profile
      for (int e = 0; e < 3 + t; e++) {
        b.add(randomFeature(rnd, "e" + e, layers, topK, Math.max(topK, neurons - topK)));
      }
      profiles.add(b.build());
    }
    ProfileMatrix matrix = ProfileMatrix.of(profiles);
    ProfileMatrix.Scratch scratch = matrix.newScratch();
    double[] out = new double[targets];
    for (int d = 0; d < 50; d++) {
      NagFeature doc = randomFeature(rnd, "d" + d, layers, topK, neurons);
      matrix.similarities(doc.indices(), scratch, out);
      for (int t = 0; t < targets; t++) {
        assertThat(out[t]).isEqualTo(Similarity.similarity(doc, profiles.get(t)));
        assertThat(out[t]).isBetween(0.0, 1.0);
      }
    }
  }
}
