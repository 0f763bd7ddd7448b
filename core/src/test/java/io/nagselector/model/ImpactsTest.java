package io.nagselector.model;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The top K chosen on the device equals {@link TopK} over the whole row, ties included. */
class ImpactsTest extends EngineTest {
  private static final boolean[] ONE_LAYER = {true};

  /** One document of one token: its impacts are |activation| itself. */
  private static int[] top(NDManager m, float[] row, int k, int group, int headDim) {
    Impacts impacts = new Impacts(m, List.of(NeuronType.ATT_K), ONE_LAYER, new int[] {1}, 1, k);
    NDArray activation = m.create(row, new Shape(1, 1, row.length));
    impacts.observeGrouped(0, NeuronType.ATT_K, activation, group, headDim);
    return impacts.top(0, NeuronType.ATT_K)[0];
  }

  private static int[] hostTop(float[] row, int k) {
    int[] out = new int[k];
    TopK.select(row, k, out, 0);
    return out;
  }

  @Test
  void distinctValuesComeLargestFirst() {
    try (NDManager m = root.newSubManager()) {
      float[] row = {0.5f, -3f, 2f, 0.1f, 7f, -0.2f, 1f, 4f};
      assertThat(top(m, row, 3, 1, 1)).containsExactly(4, 7, 1);
    }
  }

  @Test
  void tiesGoToTheLowerIndexAlsoWhenTheyReachPastTheCandidates() {
    try (NDManager m = root.newSubManager()) {
      // eight equal values: the device's 2K = 4 candidates cannot settle which 2 come first
      float[] flat = {1f, 1f, 1f, 1f, 1f, 1f, 1f, 1f};
      assertThat(top(m, flat, 2, 1, 1)).containsExactly(0, 1);
      // a tie inside the candidates is settled by index too
      float[] row = {0f, 5f, 3f, 5f, 0f, 0f, 0f, 0f};
      assertThat(top(m, row, 3, 1, 1)).containsExactly(1, 3, 2);
    }
  }

  @Test
  void groupedKeysAndValuesExpandToTheQueryHeadsAsExactTies() {
    try (NDManager m = root.newSubManager()) {
      // two key/value heads of width 2, four query heads: head h reads kv head h / 2
      float[] kv = {1f, 3f, 2f, 0.5f};
      float[] expanded = {1f, 3f, 1f, 3f, 2f, 0.5f, 2f, 0.5f};
      assertThat(top(m, kv, 3, 2, 2)).containsExactly(1, 3, 4).isEqualTo(hostTop(expanded, 3));
    }
  }

  @Test
  void randomRowsWithManyTiesMatchTheHostSelection() {
    Random rnd = new Random(5);
    try (NDManager m = root.newSubManager()) {
      for (int trial = 0; trial < 200; trial++) {
        float[] row = new float[1 + rnd.nextInt(64)];
        for (int i = 0; i < row.length; i++) {
          row[i] = rnd.nextInt(6); // few distinct values: ties everywhere
        }
        int k = 1 + rnd.nextInt(20); // sometimes more than the row holds
        assertThat(top(m, row, k, 1, 1)).as("trial %d", trial).isEqualTo(hostTop(row, k));
      }
    }
  }
}
