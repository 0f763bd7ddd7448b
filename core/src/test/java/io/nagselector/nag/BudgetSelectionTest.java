package io.nagselector.nag;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class BudgetSelectionTest {
  private static final String[] ABC = {"a", "b", "c"};

  private static int[] select(double[] d, String[] ids, long[] tokens, double fraction) {
    return BudgetSelection.select(d, ids, false, tokens, fraction);
  }

  @Test
  void keepsRowsWhileCumulativeTokensFitTheBudget() {
    // order b(0.1), c(0.2), a(0.3); budget floor(30 * 0.5) = 15: b fits (10), b+c = 20 does not
    assertThat(select(new double[] {0.3, 0.1, 0.2}, ABC, new long[] {10, 10, 10}, 0.5))
        .containsExactly(1);
    // budget floor(30 * 0.7) = 21: b, c
    assertThat(select(new double[] {0.3, 0.1, 0.2}, ABC, new long[] {10, 10, 10}, 0.7))
        .containsExactly(1, 2);
  }

  @Test
  void budgetIsFloorOfTotalTimesFraction() {
    assertThat(BudgetSelection.budget(7, 0.5)).isEqualTo(3);
    assertThat(BudgetSelection.budget(10, 0.29)).isEqualTo(2);
    // exactly on the budget is kept: total 6, budget 3
    assertThat(select(new double[] {0.1, 0.2, 0.3}, ABC, new long[] {1, 2, 3}, 0.5))
        .containsExactly(0, 1);
  }

  @Test
  void keepsTheFirstAloneWhenEvenItExceedsTheBudget() {
    assertThat(select(new double[] {0.5, 0.1, 0.9}, ABC, new long[] {5, 100, 5}, 0.2))
        .containsExactly(1);
  }

  @Test
  void emptyPoolAndTokenlessPoolSelectNothing() {
    assertThat(select(new double[0], new String[0], new long[0], 0.2)).isEmpty();
    assertThat(select(new double[] {0.1, 0.2, 0.3}, ABC, new long[] {0, 0, 0}, 0.5)).isEmpty();
  }

  @Test
  void oneDocumentIsSelectedWhenItHasTokens() {
    assertThat(select(new double[] {0.4}, new String[] {"x"}, new long[] {3}, 0.2))
        .containsExactly(0);
  }

  @Test
  void fractionZeroKeepsLeadingTokenlessRowsOrTheFirst() {
    assertThat(select(new double[] {0.2, 0.1, 0.3}, ABC, new long[] {4, 0, 4}, 0.0))
        .containsExactly(1);
    assertThat(select(new double[] {0.2, 0.1, 0.3}, ABC, new long[] {4, 4, 4}, 0.0))
        .containsExactly(1);
  }

  @Test
  void fractionOneKeepsEverythingInOrder() {
    assertThat(select(new double[] {0.2, 0.1, 0.3}, ABC, new long[] {4, 1, 4}, 1.0))
        .containsExactly(1, 0, 2);
  }

  @Test
  void zeroTokenRowsInsideTheBudgetAreKept() {
    String[] ids = {"a", "b", "c", "d"};
    assertThat(select(new double[] {0.1, 0.2, 0.3, 0.4}, ids, new long[] {5, 0, 5, 0}, 0.5))
        .containsExactly(0, 1);
  }

  @Test
  void rejectsFractionOutOfRange() {
    for (double bad : new double[] {-0.1, 1.5, Double.NaN}) {
      assertThatThrownBy(() -> select(new double[] {0.1}, new String[] {"a"}, new long[] {1}, bad))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("fraction must be in [0, 1], got " + bad);
    }
  }

  @Test
  void tiesBreakByIdAsStringsOrNumbers() {
    double[] same = {0.5, 0.5, 0.5};
    long[] tokens = {1, 1, 1};
    String[] ids = {"10", "9", "100"};
    assertThat(BudgetSelection.select(same, ids, false, tokens, 1.0)).containsExactly(0, 2, 1);
    assertThat(BudgetSelection.select(same, ids, true, tokens, 1.0)).containsExactly(1, 0, 2);
  }

  @Test
  void stringIdsCompareByCodePointNotUtf16Unit() {
    String bmp = "\uFFFF";
    String astral = "\uD83D\uDE00"; // U+1F600 sorts after U+FFFF by code point
    assertThat(bmp.compareTo(astral)).isPositive();
    assertThat(DocIdOrder.compareCodePoints(bmp, astral)).isNegative();
    assertThat(DocIdOrder.compareCodePoints("ab", "abc")).isNegative();
    assertThat(DocIdOrder.compareCodePoints("abc", "abc")).isZero();
    assertThat(
            BudgetSelection.select(
                new double[] {0.1, 0.1}, new String[] {astral, bmp}, false, new long[] {1, 1}, 1))
        .containsExactly(1, 0);
  }

  @Test
  void indexSortIsStableOnLargeInputs() {
    int n = 1000;
    int[] keys = new int[n];
    for (int i = 0; i < n; i++) {
      keys[i] = (i * 7919) % 13;
    }
    int[] order = IndexSort.sort(n, (a, b) -> Integer.compare(keys[a], keys[b]));
    for (int i = 1; i < n; i++) {
      int prev = order[i - 1];
      int cur = order[i];
      assertThat(keys[prev] < keys[cur] || (keys[prev] == keys[cur] && prev < cur)).isTrue();
    }
  }
}
