package io.nagselector.report;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What each chart of the report plots, computed from a {@link RunData}: the numbers are here, the
 * HTML only draws them.
 */
public record ReportModel(
    List<TargetView> targets,
    Map<String, Long> deadLetters,
    long documents,
    Map<String, Long> duplicates,
    List<RunData.DuplicateRow> nearDuplicates) {
  static final int BINS = 30;

  /** One target's charts. */
  public record TargetView(
      String name,
      int version,
      String policy,
      double policyValue,
      Double threshold,
      long accepted,
      Map<String, List<double[]>> acceptance,
      List<double[]> histogram,
      List<String> heatmapSources,
      int layers,
      List<double[]> heatmap,
      Map<String, Double> meanBySource,
      List<RunData.TopEntry> topK) {}

  public static ReportModel of(RunData data) {
    List<TargetView> views = new ArrayList<>();
    for (RunData.Target t : data.targets()) {
      List<RunData.Selected> selected =
          data.selected().stream()
              .filter(s -> s.target().equals(t.name()) && !s.backfill())
              .toList();
      List<Double> similarities =
          data.scores().stream()
              .filter(s -> s.target().equals(t.name()))
              .map(RunData.Score::similarity)
              .toList();
      if (similarities.isEmpty()) { // no features topic: what was selected is all we know
        similarities = selected.stream().map(RunData.Selected::similarity).toList();
      }
      Map<String, Double> means = data.meanBySource(t.name());
      if (means.isEmpty()) {
        means = meanBySource(selected);
      }
      List<String> sources = new ArrayList<>(new TreeMap<>(groupBySource(selected)).keySet());
      views.add(
          new TargetView(
              t.name(),
              t.version(),
              t.policy(),
              t.policyValue(),
              t.threshold(),
              t.accepted(),
              acceptance(selected),
              histogram(similarities, BINS),
              sources,
              t.numLayers(),
              heatmap(selected, sources, t.numLayers()),
              means,
              t.topK()));
    }
    Map<String, Long> reasons = new TreeMap<>();
    data.dead().forEach(d -> reasons.merge(d.reason(), 1L, Long::sum));
    long documents = data.scores().stream().map(RunData.Score::id).distinct().count();
    Map<String, Long> duplicates = new TreeMap<>();
    data.duplicates().forEach(d -> duplicates.merge(d.kind(), 1L, Long::sum));
    List<RunData.DuplicateRow> near = data.nearDuplicates();
    return new ReportModel(views, reasons, documents, duplicates, near);
  }

  /** Per target version ("v1", ...): [time in ms, documents it accepted so far], in time order. */
  static Map<String, List<double[]>> acceptance(List<RunData.Selected> selected) {
    Map<Integer, List<Long>> times = new TreeMap<>();
    for (RunData.Selected s : selected) {
      times.computeIfAbsent(s.version(), v -> new ArrayList<>()).add(s.selectedAt());
    }
    Map<String, List<double[]>> out = new LinkedHashMap<>();
    times.forEach(
        (version, list) -> {
          List<double[]> points = new ArrayList<>();
          long[] sorted = list.stream().mapToLong(Long::longValue).sorted().toArray();
          for (int i = 0; i < sorted.length; i++) {
            points.add(new double[] {sorted[i], i + 1});
          }
          out.put("v" + version, points);
        });
    return out;
  }

  /** [bin start, bin end, count] over [min, max] in {@code bins} equal bins. */
  static List<double[]> histogram(List<Double> values, int bins) {
    List<double[]> out = new ArrayList<>();
    if (values.isEmpty()) {
      return out;
    }
    double min = values.stream().mapToDouble(Double::doubleValue).min().getAsDouble();
    double max = values.stream().mapToDouble(Double::doubleValue).max().getAsDouble();
    double width = max > min ? (max - min) / bins : 1.0 / bins;
    long[] counts = new long[bins];
    for (double v : values) {
      counts[Math.min(bins - 1, (int) ((v - min) / width))]++;
    }
    for (int b = 0; b < bins; b++) {
      out.add(new double[] {min + b * width, min + (b + 1) * width, counts[b]});
    }
    return out;
  }

  /**
   * [layer, source index, mean share]: for the selected documents of each source, the mean share of
   * the similarity each layer contributed.
   */
  static List<double[]> heatmap(List<RunData.Selected> selected, List<String> sources, int layers) {
    List<double[]> out = new ArrayList<>();
    Map<String, List<RunData.Selected>> bySource = groupBySource(selected);
    for (int row = 0; row < sources.size(); row++) {
      List<RunData.Selected> docs = bySource.get(sources.get(row));
      for (int layer = 0; layer < layers; layer++) {
        double sum = 0;
        int n = 0;
        for (RunData.Selected d : docs) {
          if (d.contributions() != null
              && d.contributions().size() == layers
              && d.similarity() > 0) {
            sum += d.contributions().get(layer) / d.similarity();
            n++;
          }
        }
        out.add(new double[] {layer, row, n == 0 ? 0 : sum / n});
      }
    }
    return out;
  }

  private static Map<String, List<RunData.Selected>> groupBySource(
      List<RunData.Selected> selected) {
    Map<String, List<RunData.Selected>> out = new LinkedHashMap<>();
    for (RunData.Selected s : selected) {
      out.computeIfAbsent(RunData.source(s.source()), k -> new ArrayList<>()).add(s);
    }
    return out;
  }

  private static Map<String, Double> meanBySource(List<RunData.Selected> selected) {
    Map<String, Double> out = new LinkedHashMap<>();
    groupBySource(selected).entrySet().stream()
        .map(
            e ->
                Map.entry(
                    e.getKey(),
                    e.getValue().stream()
                        .mapToDouble(RunData.Selected::similarity)
                        .average()
                        .orElse(0)))
        .sorted((a, b) -> Double.compare(b.getValue(), a.getValue()))
        .forEach(e -> out.put(e.getKey(), e.getValue()));
    return out;
  }
}
