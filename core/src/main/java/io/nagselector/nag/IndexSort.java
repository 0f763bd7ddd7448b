package io.nagselector.nag;

/** Stable merge sort of the indices 0..n-1 under a primitive comparator (no boxing). */
public final class IndexSort {
  /** Compares two indices. */
  @FunctionalInterface
  public interface IndexComparator {
    int compare(int a, int b);
  }

  private IndexSort() {}

  /** Returns 0..n-1 ordered by {@code cmp}; equal elements keep their index order. */
  public static int[] sort(int n, IndexComparator cmp) {
    int[] a = new int[n];
    for (int i = 0; i < n; i++) {
      a[i] = i;
    }
    sort(a, cmp);
    return a;
  }

  /** Sorts the given indices in place, stably. */
  public static void sort(int[] a, IndexComparator cmp) {
    int n = a.length;
    int[] buf = new int[n];
    for (int lo = 0; lo < n; lo += 32) {
      insertionSort(a, lo, Math.min(lo + 32, n), cmp);
    }
    int[] src = a;
    int[] dst = buf;
    for (int width = 32; width < n; width *= 2) {
      for (int lo = 0; lo < n; lo += 2 * width) {
        int mid = Math.min(lo + width, n);
        int hi = Math.min(lo + 2 * width, n);
        merge(src, dst, lo, mid, hi, cmp);
      }
      int[] t = src;
      src = dst;
      dst = t;
    }
    if (src != a) {
      System.arraycopy(src, 0, a, 0, n);
    }
  }

  private static void insertionSort(int[] a, int lo, int hi, IndexComparator cmp) {
    for (int i = lo + 1; i < hi; i++) {
      int v = a[i];
      int j = i - 1;
      while (j >= lo && cmp.compare(a[j], v) > 0) {
        a[j + 1] = a[j];
        j--;
      }
      a[j + 1] = v;
    }
  }

  private static void merge(int[] src, int[] dst, int lo, int mid, int hi, IndexComparator cmp) {
    int i = lo;
    int j = mid;
    int k = lo;
    while (i < mid && j < hi) {
      dst[k++] = cmp.compare(src[j], src[i]) < 0 ? src[j++] : src[i++];
    }
    while (i < mid) {
      dst[k++] = src[i++];
    }
    while (j < hi) {
      dst[k++] = src[j++];
    }
  }
}
