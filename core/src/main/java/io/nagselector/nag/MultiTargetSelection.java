package io.nagselector.nag;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The paper's multi-target rule: each of M targets selects fraction/M of the pool's tokens
 * independently; the selections are concatenated in target order, duplicates kept unless dedupe is
 * asked for (then the first occurrence of a doc id wins).
 */
public final class MultiTargetSelection {
  /** One selected row: which target chose which pool position, at what distance. */
  public record Pick(int target, int position, double distance) {}

  private MultiTargetSelection() {}

  /**
   * @param distances distances[t][i] of pool document i to target t
   */
  public static List<Pick> select(
      double[][] distances,
      String[] docIds,
      boolean numericIds,
      long[] tokens,
      double fraction,
      boolean dedupe) {
    BudgetSelection.checkFraction(fraction, "fraction");
    int m = distances.length;
    if (m == 0) {
      throw new IllegalArgumentException("multi-target selection needs at least one target");
    }
    List<Pick> picks = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    for (int t = 0; t < m; t++) {
      int[] chosen = BudgetSelection.select(distances[t], docIds, numericIds, tokens, fraction / m);
      for (int position : chosen) {
        if (!dedupe || seen.add(docIds[position])) {
          picks.add(new Pick(t, position, distances[t][position]));
        }
      }
    }
    return picks;
  }
}
