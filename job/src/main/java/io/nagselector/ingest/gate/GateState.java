package io.nagselector.ingest.gate;

import java.util.Map;
import org.apache.flink.connector.kafka.source.enumerator.KafkaSourceEnumState;

/**
 * The gated crawl source's enumerator state: Kafka's own, whether the gate is open, and, while it
 * is closed, the control-events offsets (per partition) from which the announcement is awaited.
 */
public record GateState(KafkaSourceEnumState kafka, boolean open, Map<Integer, Long> from) {
  public GateState {
    from = Map.copyOf(from);
  }
}
