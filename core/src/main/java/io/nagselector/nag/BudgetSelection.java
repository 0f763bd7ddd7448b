package io.nagselector.nag;

import java.util.Arrays;

/**
 * The paper's token-budget rule: sort by (score asc, doc id asc), keep rows while the cumulative
 * token count stays within floor(total * fraction); if even the first row exceeds it, keep the
 * first alone; a pool without tokens selects nothing.
 */
public final class BudgetSelection {
  private BudgetSelection() {}

  /** Throws unless {@code fraction} is a number in [0, 1]. */
  public static void checkFraction(double fraction, String setting) {
    if (!(fraction >= 0.0 && fraction <= 1.0)) {
      throw new IllegalArgumentException(setting + " must be in [0, 1], got " + fraction);
    }
  }

  /** The token budget, computed as the published code does: {@code int(total * fraction)}. */
  public static long budget(long totalTokens, double fraction) {
    return (long) (totalTokens * fraction);
  }

  /**
   * Selects from a pool of {@code scores.length} documents.
   *
   * @param scores distances (or fused scores): lower is better
   * @param docIds the documents' ids, for ties
   * @param numericIds whether every id is an integer (ties then compare numerically)
   * @param tokens token counts, non-negative (a missing count is 0)
   * @return the selected documents' positions, in selection order
   */
  public static int[] select(
      double[] scores, String[] docIds, boolean numericIds, long[] tokens, double fraction) {
    checkFraction(fraction, "fraction");
    int n = scores.length;
    if (docIds.length != n || tokens.length != n) {
      throw new IllegalArgumentException("scores, ids and tokens must have the same length");
    }
    long total = 0;
    for (long t : tokens) {
      if (t < 0) {
        throw new IllegalArgumentException("token counts must be non-negative, got " + t);
      }
      total = Math.addExact(total, t);
    }
    if (total <= 0) {
      return new int[0];
    }
    long budget = budget(total, fraction);
    int[] order = rankOrder(scores, docIds, numericIds);
    long cumulative = 0;
    int kept = 0;
    while (kept < n && cumulative + tokens[order[kept]] <= budget) {
      cumulative += tokens[order[kept]];
      kept++;
    }
    return Arrays.copyOf(order, Math.max(kept, 1));
  }

  /** All positions sorted by (score asc, doc id asc). */
  public static int[] rankOrder(double[] scores, String[] docIds, boolean numericIds) {
    long[] numeric = null;
    if (numericIds) {
      numeric = new long[docIds.length];
      for (int i = 0; i < docIds.length; i++) {
        numeric[i] = Long.parseLong(docIds[i]);
      }
    }
    long[] ids = numeric;
    return IndexSort.sort(
        scores.length,
        (a, b) -> {
          int c = Double.compare(scores[a], scores[b]);
          if (c != 0) {
            return c;
          }
          return ids != null
              ? Long.compare(ids[a], ids[b])
              : DocIdOrder.compareCodePoints(docIds[a], docIds[b]);
        });
  }
}
