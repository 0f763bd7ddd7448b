package io.nagselector.select;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;

/**
 * Per target, under the group {@code target=NAME}: the documents accepted (a counter), the
 * threshold in force and, for a fraction target, the share of the decided tokens accepted (gauges,
 * NaN while unknown). Registered the first time a target is seen.
 */
final class TargetMetrics {
  private final MetricGroup group;
  private final Map<String, Counter> accepted = new HashMap<>();
  private final Map<String, Double> thresholds = new ConcurrentHashMap<>();
  private final Map<String, Double> shares = new ConcurrentHashMap<>();

  TargetMetrics(MetricGroup group) {
    this.group = group;
  }

  void accepted(String target, long documents) {
    counter(target).inc(documents);
  }

  void threshold(String target, double threshold) {
    counter(target);
    thresholds.put(target, threshold);
  }

  void acceptedShare(String target, double share) {
    counter(target);
    shares.put(target, share);
  }

  private Counter counter(String target) {
    return accepted.computeIfAbsent(
        target,
        t -> {
          MetricGroup g = group.addGroup("target", t);
          g.gauge("threshold", () -> thresholds.getOrDefault(t, Double.NaN));
          g.gauge("acceptedShare", () -> shares.getOrDefault(t, Double.NaN));
          return g.counter("accepted");
        });
  }
}
