package io.nagselector.rank;

import io.nagselector.nag.IndexSort;
import java.util.Arrays;

/**
 * The pool kept in memory while ranking: per document only its id, distance and where its feature
 * row was, in growable primitive arrays (about 80 bytes a document).
 */
final class PoolIndex {
  private String[] ids = new String[1024];
  private double[] distances = new double[1024];
  private long[] locations = new long[1024];
  private int size;

  int add(String id, double distance, int fileIndex, long line) {
    if (size == ids.length) {
      int capacity = size * 2;
      ids = Arrays.copyOf(ids, capacity);
      distances = Arrays.copyOf(distances, capacity);
      locations = Arrays.copyOf(locations, capacity);
    }
    ids[size] = id;
    distances[size] = distance;
    locations[size] = ((long) fileIndex << 40) | line;
    return size++;
  }

  int size() {
    return size;
  }

  String id(int doc) {
    return ids[doc];
  }

  double distance(int doc) {
    return distances[doc];
  }

  int fileIndex(int doc) {
    return (int) (locations[doc] >>> 40);
  }

  long line(int doc) {
    return locations[doc] & ((1L << 40) - 1);
  }

  /** Positions sorted by id (plain string order; for lookups and duplicate detection). */
  int[] sortedById() {
    String[] local = ids;
    int[] order = IndexSort.sort(size, (a, b) -> local[a].compareTo(local[b]));
    return order;
  }

  /** Binary search of {@code id} in {@code sorted} (from {@link #sortedById}); -1 if absent. */
  int find(int[] sorted, int count, String id) {
    int lo = 0;
    int hi = count - 1;
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      int c = ids[sorted[mid]].compareTo(id);
      if (c < 0) {
        lo = mid + 1;
      } else if (c > 0) {
        hi = mid - 1;
      } else {
        return sorted[mid];
      }
    }
    return -1;
  }
}
