package io.nagselector.nag;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class NumpySumTest {

  @Test
  void shortArraysAddLeftToRight() {
    double[] a = {1e16, 1.0, 1.0, 1.0};
    assertThat(NumpySum.sum(a, 0, 4)).isEqualTo(((1e16 + 1.0) + 1.0) + 1.0);
  }

  @Test
  void twentyValuesUseEightLanesThenTheRest() {
    double[] a = new double[20];
    a[0] = 1e16;
    for (int i = 1; i < 20; i++) {
      a[i] = 1.0;
    }
    double[] r = new double[8];
    for (int j = 0; j < 8; j++) {
      r[j] = a[j] + a[j + 8];
    }
    double expected = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
    for (int i = 16; i < 20; i++) {
      expected += a[i];
    }
    double sequential = 0;
    for (double v : a) {
      sequential += v;
    }
    assertThat(NumpySum.sum(a, 0, 20)).isEqualTo(expected).isNotEqualTo(sequential);
  }

  @Test
  void longArraysSplitAtAMultipleOfEight() {
    double[] a = new double[300];
    for (int i = 0; i < a.length; i++) {
      a[i] = i % 7 == 0 ? 1e15 : 0.1 * i;
    }
    // n=300 splits into 144 + 156; both exceed the 128 block: 144 = 72 + 72, 156 = 72 + 84.
    double left = NumpySum.sum(a, 0, 72) + NumpySum.sum(a, 72, 72);
    double right = NumpySum.sum(a, 144, 72) + NumpySum.sum(a, 216, 84);
    assertThat(NumpySum.sum(a, 0, 300)).isEqualTo(left + right);
  }
}
