package io.nagselector.nag;

/**
 * Floating-point sums in exactly the order NumPy's {@code sum} adds them (pairwise summation with
 * an 8-way unrolled base case), so that our distances are bit-identical to the published code's and
 * ties in distance break the same way.
 */
final class NumpySum {
  private static final int BLOCK = 128;

  private NumpySum() {}

  /** {@code 0.0 + pairwise(values[from .. from+n))}, as {@code np.sum} computes it. */
  static double sum(double[] values, int from, int n) {
    return 0.0 + pairwise(values, from, n);
  }

  private static double pairwise(double[] a, int from, int n) {
    if (n < 8) {
      double res = 0.0;
      for (int i = 0; i < n; i++) {
        res += a[from + i];
      }
      return res;
    }
    if (n <= BLOCK) {
      double r0 = a[from];
      double r1 = a[from + 1];
      double r2 = a[from + 2];
      double r3 = a[from + 3];
      double r4 = a[from + 4];
      double r5 = a[from + 5];
      double r6 = a[from + 6];
      double r7 = a[from + 7];
      int i = 8;
      for (; i < n - (n % 8); i += 8) {
        r0 += a[from + i];
        r1 += a[from + i + 1];
        r2 += a[from + i + 2];
        r3 += a[from + i + 3];
        r4 += a[from + i + 4];
        r5 += a[from + i + 5];
        r6 += a[from + i + 6];
        r7 += a[from + i + 7];
      }
      double res = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7));
      for (; i < n; i++) {
        res += a[from + i];
      }
      return res;
    }
    int half = n / 2;
    half -= half % 8;
    return pairwise(a, from, half) + pairwise(a, from + half, n - half);
  }
}
