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

  /**
   * The K largest of {@code count} candidates ({@code values[from..]} at {@code indices[from..]}),
   * largest first, ties to the lower index: what {@link #select} gives on the whole row when the
   * candidates hold its K largest and every value tied with the K-th.
   */
  static void selectAmong(float[] values, long[] indices, int from, int count, int k, int[] out) {
    float[] best = new float[k];
    int filled = 0;
    for (int c = from; c < from + count; c++) {
      float v = values[c];
      int i = (int) indices[c];
      if (filled == k && !ahead(v, i, best[k - 1], out[k - 1])) {
        continue;
      }
      int at = filled < k ? filled++ : k - 1;
      while (at > 0 && ahead(v, i, best[at - 1], out[at - 1])) {
        best[at] = best[at - 1];
        out[at] = out[at - 1];
        at--;
      }
      best[at] = v;
      out[at] = i;
    }
  }

  private static boolean ahead(float v, int i, float than, int thanIndex) {
    return v > than || (v == than && i < thanIndex);
  }
}
