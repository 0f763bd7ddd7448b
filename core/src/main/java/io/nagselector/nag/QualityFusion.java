package io.nagselector.nag;

/**
 * Combines NAG distance with an external quality score: min-max normalise both over the pool,
 * invert the quality when higher is better, and add. Lower is better. A constant column normalises
 * to 0.
 */
public final class QualityFusion {
  private QualityFusion() {}

  public static double[] minMax(double[] values) {
    double lo = Double.POSITIVE_INFINITY;
    double hi = Double.NEGATIVE_INFINITY;
    for (double v : values) {
      if (!Double.isFinite(v)) {
        throw new IllegalArgumentException("min-max normalisation needs finite values, got " + v);
      }
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
    double[] out = new double[values.length];
    if (hi == lo) {
      return out;
    }
    double range = hi - lo;
    for (int i = 0; i < values.length; i++) {
      out[i] = (values[i] - lo) / range;
    }
    return out;
  }

  /**
   * @param invertQuality true when a higher quality value means better (it is turned into 1 - q)
   */
  public static double[] combine(double[] distances, double[] quality, boolean invertQuality) {
    if (distances.length != quality.length) {
      throw new IllegalArgumentException("distances and quality must have the same length");
    }
    double[] d = minMax(distances);
    double[] q = minMax(quality);
    double[] combined = new double[d.length];
    for (int i = 0; i < d.length; i++) {
      combined[i] = d[i] + (invertQuality ? 1.0 - q[i] : q[i]);
    }
    return combined;
  }
}
