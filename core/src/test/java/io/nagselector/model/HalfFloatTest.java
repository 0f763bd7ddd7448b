package io.nagselector.model;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class HalfFloatTest {

  @Test
  void convertsNormalSubnormalAndSpecialValues() {
    assertThat(HalfFloat.toFloat((short) 0x3C00)).isEqualTo(1.0f);
    assertThat(HalfFloat.toFloat((short) 0xC000)).isEqualTo(-2.0f);
    assertThat(HalfFloat.toFloat((short) 0x3555)).isEqualTo(0.33325195f);
    assertThat(HalfFloat.toFloat((short) 0x7BFF)).isEqualTo(65504f);
    assertThat(HalfFloat.toFloat((short) 0x0001)).isEqualTo(0x1p-24f);
    assertThat(HalfFloat.toFloat((short) 0x8000)).isEqualTo(-0.0f);
    assertThat(HalfFloat.toFloat((short) 0x7C00)).isEqualTo(Float.POSITIVE_INFINITY);
    assertThat(HalfFloat.toFloat((short) 0x7E00)).isNaN();
  }
}
