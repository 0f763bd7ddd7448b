package io.nagselector.nag;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class TargetProfileTest {
  // Two examples, L=2, K=2. Layer 0 counts {0:2, 1:1, 2:1}; layer 1 counts {2:2, 3:1, 4:1}.
  private static final NagFeature E1 = NagFeature.of("e1", 2, 2, 0, new int[] {0, 1, 2, 3});
  private static final NagFeature E2 = NagFeature.of("e2", 2, 2, 0, new int[] {0, 2, 2, 4});

  private static TargetProfile profile(double power) {
    return TargetProfile.builder(2, 2, 0).power(power).add(E1).add(E2).build();
  }

  @Test
  void normalisesCountsPerLayer() {
    TargetProfile p = profile(1.0);
    assertThat(p.numNeurons()).isEqualTo(5);
    assertThat(p.exampleCount()).isEqualTo(2);
    assertThat(p.weight(0, 0)).isEqualTo(0.5);
    assertThat(p.weight(0, 1)).isEqualTo(0.25);
    assertThat(p.weight(0, 2)).isEqualTo(0.25);
    assertThat(p.weight(0, 3)).isEqualTo(0.0);
    assertThat(p.weight(1, 2)).isEqualTo(0.5);
    assertThat(p.weight(1, 4)).isEqualTo(0.25);
    assertThat(p.weight(1, 99)).isEqualTo(0.0);
  }

  @Test
  void appliesPowerToCountsBeforeNormalising() {
    TargetProfile p = profile(2.0);
    assertThat(p.weight(0, 0)).isEqualTo(4.0 / 6.0);
    assertThat(p.weight(0, 1)).isEqualTo(1.0 / 6.0);
  }

  @Test
  void scoresAndExplainsByHand() {
    TargetProfile p = profile(1.0);
    NagFeature doc = NagFeature.of("d", 2, 2, 0, new int[] {0, 5, 3, 2});
    // layer 0: 0.5 + 0 ; layer 1: 0.25 + 0.5 ; sim = (0.5 + 0.75) / 2
    assertThat(Similarity.similarity(doc, p)).isEqualTo(0.625);
    assertThat(Similarity.distance(doc, p)).isEqualTo(0.375);
    assertThat(Similarity.layerContributions(doc, p)).containsExactly(0.25, 0.375);
  }

  @Test
  void selfSimilarityOfASingleExampleIsOne() {
    TargetProfile p = TargetProfile.builder(2, 2, 0).add(E1).build();
    assertThat(Similarity.similarity(E1, p)).isCloseTo(1.0, within(1e-15));
  }

  @Test
  void fixedWidthIsKeptAndEnforced() {
    TargetProfile p = TargetProfile.builder(2, 2, 16).add(E1).build();
    assertThat(p.numNeurons()).isEqualTo(16);
    assertThatThrownBy(
            () ->
                TargetProfile.builder(1, 1, 4)
                    .add(NagFeature.of("big", 1, 1, 0, new int[] {4}))
                    .build())
        .hasMessage("feature of doc big: neuron index 4 >= N=4");
  }

  @Test
  void rejectsTargetWithoutExamples() {
    assertThatThrownBy(() -> TargetProfile.builder(2, 2, 0).build())
        .hasMessage("a target profile needs at least one example, got none");
  }

  @Test
  void rejectsShapeMismatchNamingBothShapes() {
    TargetProfile p = profile(1.0);
    NagFeature wrong = NagFeature.of("w", 1, 4, 0, new int[] {0, 1, 2, 3});
    assertThatThrownBy(() -> Similarity.similarity(wrong, p))
        .hasMessage("shape mismatch: target profile has L=2 K=2 but doc w has L=1 K=4");
    assertThatThrownBy(() -> TargetProfile.builder(2, 2, 0).add(wrong))
        .hasMessage("shape mismatch: target profile has L=2 K=2 but example w has L=1 K=4");
  }

  @Test
  void rejectsNonFinitePower() {
    assertThatThrownBy(() -> TargetProfile.builder(1, 1, 0).power(Double.NaN))
        .hasMessage("--power must be a finite number, got NaN");
  }

  @Test
  void fingerprintDependsOnWeightsAndPower() {
    assertThat(profile(1.0).fingerprint()).isEqualTo(profile(1.0).fingerprint()).hasSize(16);
    assertThat(profile(1.0).fingerprint()).isNotEqualTo(profile(2.0).fingerprint());
  }
}
