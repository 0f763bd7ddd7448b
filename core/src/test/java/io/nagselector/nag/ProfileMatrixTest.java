package io.nagselector.nag;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

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
  @CsvSource({
    "4, 5, 40, 1, false",
    "6, 20, 300, 3, false",
    "3, 200, 400, 7, false",
    "2, 8, 12, 2, false",
    "5, 20, 300, 1, true"
  })
  void matchesScalarSimilarityBitForBit(
      int layers, int topK, int neurons, int targets, boolean powerOne) {
    check(layers, topK, neurons, targets, powerOne, 0.0, true, 3);
  }

  /** Several power-1 targets are scored from integer counts: correctly rounded, not NumPy-order. */
  @ParameterizedTest
  @CsvSource({
    "6, 20, 300, 3, 3",
    "28, 20, 3072, 10, 3",
    "2, 3, 9, 2, 3",
    "4, 20, 100, 1, 3",
    "3, 4, 9, 3, 400",
    "3, 4, 9, 1, 400"
  })
  void countsMatchScalarSimilarityWithin1e15(
      int layers, int topK, int neurons, int targets, int examples) {
    // 400 examples over 9 neurons: counts above 255 use 16-bit storage
    check(layers, topK, neurons, targets, true, 1e-15, false, examples);
  }

  private void check(
      int layers,
      int topK,
      int neurons,
      int targets,
      boolean powerOne,
      double tolerance,
      boolean exact,
      int examples) {
    Random rnd = new Random(layers * 1000L + topK);
    List<TargetProfile> profiles = new ArrayList<>();
    for (int t = 0; t < targets; t++) {
      TargetProfile.Builder b =
          TargetProfile.builder(layers, topK, 0).power(powerOne || t % 2 == 0 ? 1 : 0.5);
      // narrower examples than the docs: docs also hit neurons outside every profile
      for (int e = 0; e < examples + t; e++) {
        b.add(randomFeature(rnd, "e" + e, layers, topK, Math.max(topK, neurons - topK)));
      }
      profiles.add(b.build());
    }
    ProfileMatrix matrix = exact ? ProfileMatrix.exact(profiles) : ProfileMatrix.of(profiles);
    ProfileMatrix.Scratch scratch = matrix.newScratch();
    double[] out = new double[targets];
    for (int d = 0; d < 50; d++) {
      NagFeature doc = randomFeature(rnd, "d" + d, layers, topK, neurons);
      matrix.similarities(doc.indices(), scratch, out);
      for (int t = 0; t < targets; t++) {
        assertThat(out[t])
            .isCloseTo(Similarity.similarity(doc, profiles.get(t)), within(tolerance));
        assertThat(out[t]).isBetween(0.0, 1.0);
      }
    }
  }
}
