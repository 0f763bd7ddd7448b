package io.nagselector.model;

/** Indices of the K largest values, largest first; ties go to the lower index. */
final class TopK {
  private TopK() {}

  static void select(float[] values, int k, int[] out, int offset) {
    float[] best = new float[k];
    int filled = 0;
    for (int i = 0; i < values.length; i++) {
      float v = values[i];
      if (filled == k && !(v > best[k - 1])) {
        continue;
      }
      int at = filled < k ? filled++ : k - 1;
      while (at > 0 && v > best[at - 1]) {
        best[at] = best[at - 1];
        out[offset + at] = out[offset + at - 1];
        at--;
      }
      best[at] = v;
      out[offset + at] = i;
    }
  }
}
