package io.nagselector.job;

import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.metrics.Metric;
import org.apache.flink.metrics.MetricConfig;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.reporter.MetricReporter;
import org.apache.flink.metrics.reporter.MetricReporterFactory;

/**
 * A metric reporter for the integration tests' MiniClusters that keeps every live metric in this
 * JVM, across the clusters the test classes start one after another (Flink's InMemoryReporter
 * unregisters itself when the first of them closes). Registered in META-INF/services, as Flink
 * finds reporter factories.
 */
public final class JobMetrics implements MetricReporter {
  private static final Map<MetricGroup, Map<String, Metric>> LIVE = new ConcurrentHashMap<>();

  /** Adds this reporter to a cluster's configuration. */
  static Configuration addTo(Configuration conf) {
    conf.setString("metrics.reporter.job-metrics.factory.class", Factory.class.getName());
    return conf;
  }

  /** The live metrics, by group. */
  static Map<MetricGroup, Map<String, Metric>> byGroup() {
    return LIVE;
  }

  @Override
  public void open(MetricConfig config) {}

  @Override
  public void close() {}

  @Override
  public void notifyOfAddedMetric(Metric metric, String name, MetricGroup group) {
    LIVE.computeIfAbsent(group, g -> new ConcurrentHashMap<>()).put(name, metric);
  }

  @Override
  public void notifyOfRemovedMetric(Metric metric, String name, MetricGroup group) {
    LIVE.computeIfPresent(
        group,
        (g, metrics) -> {
          metrics.remove(name);
          return metrics.isEmpty() ? null : metrics;
        });
  }

  /** Flink's way in. */
  public static final class Factory implements MetricReporterFactory {
    @Override
    public MetricReporter createMetricReporter(Properties properties) {
      return new JobMetrics();
    }
  }
}
