package io.nagselector.ingest;

import io.nagselector.avro.DeadLetterReason;
import java.util.EnumMap;
import java.util.Map;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;

/** One {@code deadLetters} counter per reason, under a {@code reason} metric group. */
public final class DeadLetterCounters {
  private final MetricGroup group;
  private final Map<DeadLetterReason, Counter> counters = new EnumMap<>(DeadLetterReason.class);

  public DeadLetterCounters(MetricGroup group) {
    this.group = group;
  }

  public void count(DeadLetterReason reason) {
    counters
        .computeIfAbsent(reason, r -> group.addGroup("reason", r.name()).counter("deadLetters"))
        .inc();
  }
}
