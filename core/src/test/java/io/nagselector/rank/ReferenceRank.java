package io.nagselector.rank;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A second, deliberately naive implementation of the published rank.py / rank_with_quality.py,
 * written line by line after the Python: dict profiles, an inner join, a sort, a cumulative sum.
 */
final class ReferenceRank {
  record Doc(Object id, int[] feature, Long tokens, Double quality) {}

  record Selected(Object id, double distance, double combined) {}

  private ReferenceRank() {}

  static List<Map<Integer, Double>> profile(
      List<int[]> targets, int layers, int topK, double power) {
    List<Map<Integer, Double>> profile = new ArrayList<>();
    for (int l = 0; l < layers; l++) {
      TreeMap<Integer, Integer> counts = new TreeMap<>();
      for (int[] t : targets) {
        for (int r = 0; r < topK; r++) {
          counts.merge(t[l * topK + r], 1, Integer::sum);
        }
      }
      double total = 0;
      Map<Integer, Double> weights = new HashMap<>();
      for (var e : counts.entrySet()) {
        double w = power != 1.0 ? Math.pow(e.getValue(), power) : e.getValue();
        weights.put(e.getKey(), w);
        total += w;
      }
      for (var e : weights.entrySet()) {
        e.setValue(e.getValue() / total);
      }
      profile.add(weights);
    }
    return profile;
  }

  static double distance(int[] feature, List<Map<Integer, Double>> profile, int topK) {
    double score = 0;
    for (int l = 0; l < profile.size(); l++) {
      double layer = 0;
      for (int r = 0; r < topK; r++) {
        layer += profile.get(l).getOrDefault(feature[l * topK + r], 0.0);
      }
      score += layer;
    }
    return 1.0 - score / profile.size();
  }

  static List<Selected> rank(
      List<int[]> targets,
      List<Doc> pool,
      int layers,
      int topK,
      double power,
      double fraction,
      boolean withQuality,
      boolean invert) {
    List<Map<Integer, Double>> profile = profile(targets, layers, topK, power);
    List<Doc> rows = new ArrayList<>();
    for (Doc d : pool) {
      if (!withQuality || d.quality() != null) {
        rows.add(d);
      }
    }
    double[] dist = new double[rows.size()];
    for (int i = 0; i < rows.size(); i++) {
      dist[i] = distance(rows.get(i).feature(), profile, topK);
    }
    double[] score = dist.clone();
    if (withQuality) {
      double[] q = new double[rows.size()];
      for (int i = 0; i < q.length; i++) {
        q[i] = rows.get(i).quality();
      }
      double[] dn = minMax(dist);
      double[] qn = minMax(q);
      for (int i = 0; i < score.length; i++) {
        score[i] = dn[i] + (invert ? 1.0 - qn[i] : qn[i]);
      }
    }
    List<Integer> order = new ArrayList<>();
    for (int i = 0; i < rows.size(); i++) {
      order.add(i);
    }
    Comparator<Integer> byId =
        (a, b) -> {
          Object x = rows.get(a).id();
          Object y = rows.get(b).id();
          if (x instanceof Long lx && y instanceof Long ly) {
            return Long.compare(lx, ly);
          }
          return compareCodePoints(x.toString(), y.toString());
        };
    order.sort(Comparator.<Integer>comparingDouble(i -> score[i]).thenComparing(byId));
    long total = 0;
    for (Doc d : rows) {
      total += d.tokens() == null ? 0 : d.tokens();
    }
    List<Selected> out = new ArrayList<>();
    if (total <= 0) {
      return out;
    }
    long target = (long) (total * fraction);
    long cum = 0;
    for (int i : order) {
      Doc d = rows.get(i);
      cum += d.tokens() == null ? 0 : d.tokens();
      if (cum <= target) {
        out.add(new Selected(d.id(), dist[i], score[i]));
      }
    }
    if (out.isEmpty()) {
      int i = order.get(0);
      out.add(new Selected(rows.get(i).id(), dist[i], score[i]));
    }
    return out;
  }

  private static int compareCodePoints(String a, String b) {
    int[] x = a.codePoints().toArray();
    int[] y = b.codePoints().toArray();
    return Arrays.compare(x, y);
  }

  private static double[] minMax(double[] v) {
    double lo = Arrays.stream(v).min().orElse(0);
    double hi = Arrays.stream(v).max().orElse(0);
    double[] out = new double[v.length];
    for (int i = 0; i < v.length; i++) {
      out[i] = hi == lo ? 0 : (v[i] - lo) / (hi - lo);
    }
    return out;
  }
}
