package io.nagselector.model;

/** IEEE 754 half precision to float (Java 17 has no Float.float16ToFloat). */
final class HalfFloat {
  private HalfFloat() {}

  static float toFloat(short half) {
    int h = half & 0xFFFF;
    int sign = (h & 0x8000) << 16;
    int exponent = (h >>> 10) & 0x1F;
    int mantissa = h & 0x3FF;
    if (exponent == 0) {
      float value = mantissa * 0x1p-24f; // subnormal (or zero)
      return sign == 0 ? value : -value;
    }
    if (exponent == 0x1F) {
      return Float.intBitsToFloat(sign | 0x7F800000 | (mantissa << 13));
    }
    return Float.intBitsToFloat(sign | ((exponent - 15 + 127) << 23) | (mantissa << 13));
  }
}
