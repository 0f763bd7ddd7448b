package io.nagselector.nag;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class NagFeatureTest {

  @Test
  void acceptsValidFeatureAndReadsLayerMajor() {
    NagFeature f = NagFeature.of("d1", 2, 3, 10, new int[] {5, 1, 9, 5, 0, 2});
    assertThat(f.index(0, 2)).isEqualTo(9);
    assertThat(f.index(1, 0)).isEqualTo(5);
  }

  @Test
  void rejectsWrongLengthNamingDocAndShape() {
    assertThatThrownBy(() -> NagFeature.of("doc-7", 2, 3, 0, new int[] {1, 2, 3}))
        .isInstanceOf(InvalidFeatureException.class)
        .hasMessage("feature of doc doc-7: wrong length: expected L*K = 2*3 = 6 indices, got 3");
  }

  @Test
  void rejectsNegativeIndex() {
    assertThatThrownBy(() -> NagFeature.of("x", 1, 2, 0, new int[] {1, -4}))
        .hasMessage("feature of doc x: neuron index -4 at layer 0 is out of range [0, inf)");
  }

  @Test
  void rejectsIndexAtOrAboveWidth() {
    assertThatThrownBy(() -> NagFeature.of("x", 2, 1, 8, new int[] {7, 8}))
        .hasMessage("feature of doc x: neuron index 8 at layer 1 is out of range [0, 8)");
  }

  @Test
  void rejectsDuplicateWithinLayerButNotAcrossLayers() {
    assertThat(NagFeature.of("ok", 2, 2, 0, new int[] {1, 2, 1, 2}).numLayers()).isEqualTo(2);
    assertThatThrownBy(() -> NagFeature.of("dup", 2, 2, 0, new int[] {1, 2, 3, 3}))
        .hasMessage("feature of doc dup: neuron index 3 appears twice at layer 1");
  }

  @Test
  void slicesLayers() {
    NagFeature f = NagFeature.of("d", 3, 2, 0, new int[] {1, 2, 3, 4, 5, 6});
    assertThat(f.slice(LayerSelection.parse("last", 3)).indices()).containsExactly(5, 6);
    assertThat(f.slice(LayerSelection.parse("first", 3)).indices()).containsExactly(1, 2);
    assertThat(f.slice(LayerSelection.parse("2,0,2", 3)).indices()).containsExactly(1, 2, 5, 6);
  }

  @Test
  void rejectsBadLayerSpecs() {
    assertThatThrownBy(() -> LayerSelection.parse("0,3", 3))
        .hasMessage("--layers: layer index 3 out of range [0, 3)");
    assertThatThrownBy(() -> LayerSelection.parse("middle", 3))
        .hasMessage("--layers: 'middle' is not last, first or a layer index");
    assertThatThrownBy(() -> LayerSelection.parse(" , ", 3))
        .hasMessage("--layers: no layer in ' , '");
  }
}
