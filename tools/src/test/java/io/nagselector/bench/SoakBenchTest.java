package io.nagselector.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class SoakBenchTest {
  private static SoakBench.Row row(long selected, long heap) {
    return new SoakBench.Row(0, selected, 0, 0, 0, 0, 0, 0, heap);
  }

  @Test
  void heapSlopeIsTheLeastSquaresFitOverDocuments() {
    // heap = 1000 + 2 x documents, with noise that cancels out
    assertThat(
            SoakBench.slope(List.of(row(0, 1001), row(100, 1199), row(200, 1401), row(300, 1599))))
        .isEqualTo(1.996);
    assertThat(SoakBench.slope(List.of(row(5, 9)))).isZero();
    assertThat(SoakBench.slope(List.of(row(5, 9), row(5, 20)))).isZero();
  }
}
