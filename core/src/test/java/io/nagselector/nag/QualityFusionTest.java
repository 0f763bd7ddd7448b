package io.nagselector.nag;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class QualityFusionTest {

  @Test
  void minMaxScalesToUnitRangeAndConstantToZero() {
    assertThat(QualityFusion.minMax(new double[] {2, 4, 6})).containsExactly(0, 0.5, 1);
    assertThat(QualityFusion.minMax(new double[] {3, 3})).containsExactly(0, 0);
    assertThat(QualityFusion.minMax(new double[0])).isEmpty();
  }

  @Test
  void combinesWithAndWithoutInversion() {
    double[] distance = {0.25, 0.5, 0.75};
    double[] quality = {10, 0, 5};
    assertThat(QualityFusion.combine(distance, quality, false)).containsExactly(1.0, 0.5, 1.5);
    assertThat(QualityFusion.combine(distance, quality, true)).containsExactly(0.0, 1.5, 1.5);
  }

  @Test
  void rejectsNonFiniteQuality() {
    assertThatThrownBy(() -> QualityFusion.minMax(new double[] {1, Double.POSITIVE_INFINITY}))
        .hasMessage("min-max normalisation needs finite values, got Infinity");
  }

  @Test
  void multiTargetSplitsTheFractionAndConcatenates() {
    String[] ids = {"a", "b", "c", "d"};
    long[] tokens = {10, 10, 10, 10};
    double[][] distances = {{0.1, 0.2, 0.3, 0.4}, {0.4, 0.3, 0.1, 0.2}};
    // fraction 0.5 over 2 targets: each 0.25 of 40 = 10 tokens = one doc
    List<MultiTargetSelection.Pick> picks =
        MultiTargetSelection.select(distances, ids, false, tokens, 0.5, false);
    assertThat(picks)
        .containsExactly(
            new MultiTargetSelection.Pick(0, 0, 0.1), new MultiTargetSelection.Pick(1, 2, 0.1));
  }

  @Test
  void multiTargetKeepsDuplicatesUnlessDeduped() {
    String[] ids = {"a", "b"};
    long[] tokens = {10, 10};
    double[][] distances = {{0.1, 0.2}, {0.1, 0.3}};
    assertThat(MultiTargetSelection.select(distances, ids, false, tokens, 1.0, false))
        .extracting(MultiTargetSelection.Pick::position)
        .containsExactly(0, 0);
    assertThat(MultiTargetSelection.select(distances, ids, false, tokens, 1.0, true))
        .containsExactly(new MultiTargetSelection.Pick(0, 0, 0.1));
  }
}
