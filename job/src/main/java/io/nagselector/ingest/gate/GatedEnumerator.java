package io.nagselector.ingest.gate;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.connector.source.SourceEvent;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;
import org.apache.flink.connector.kafka.source.enumerator.KafkaSourceEnumState;
import org.apache.flink.connector.kafka.source.split.KafkaPartitionSplit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kafka's enumerator, assigning partitions as usual, plus the gate: while it is closed it watches
 * the control-events topic for the {@link io.nagselector.control.ReplayAnnouncement}; once that is
 * committed it opens, for good, and tells every reader, now and on every (re-)registration.
 */
final class GatedEnumerator implements SplitEnumerator<KafkaPartitionSplit, GateState> {
  private static final Logger LOG = LoggerFactory.getLogger(GatedEnumerator.class);
  private static final long CHECK_MS = 500;
  private static final long REMIND_MS = 30_000;

  private final SplitEnumerator<KafkaPartitionSplit, KafkaSourceEnumState> kafka;
  private final SplitEnumeratorContext<KafkaPartitionSplit> context;
  private final Map<Integer, Long> from;
  private final AnnouncementWatch watch;
  private volatile boolean open;
  private long closedSince;
  private long remindedAt;

  GatedEnumerator(
      SplitEnumerator<KafkaPartitionSplit, KafkaSourceEnumState> kafka,
      SplitEnumeratorContext<KafkaPartitionSplit> context,
      boolean open,
      Map<Integer, Long> from,
      AnnouncementWatch watch) {
    this.kafka = kafka;
    this.context = context;
    this.open = open;
    this.from = Map.copyOf(from);
    this.watch = watch;
  }

  @Override
  public void start() {
    kafka.start();
    if (!open) {
      closedSince = remindedAt = System.currentTimeMillis();
      LOG.info(
          "Crawl documents wait in Kafka until the control topic's replay is applied (watching"
              + " control-events from offsets {})",
          from);
      context.callAsync(() -> open || watch.announced(), this::checked, 0, CHECK_MS);
    }
  }

  private void checked(Boolean announced, Throwable error) {
    if (open) {
      return;
    }
    long now = System.currentTimeMillis();
    if (Boolean.TRUE.equals(announced)) {
      open = true;
      LOG.info("Control topic replayed after {} ms: crawl documents are read", now - closedSince);
      context.registeredReaders().keySet().forEach(this::tell);
    } else if (now - remindedAt >= REMIND_MS) {
      remindedAt = now;
      LOG.warn(
          "Crawl documents have waited {} s for the control topic's replay to be applied{}",
          (now - closedSince) / 1000,
          error == null ? "" : "; control-events cannot be read: " + error);
    }
  }

  private void tell(int reader) {
    context.sendEventToSourceReader(reader, new GateOpened());
  }

  @Override
  public void addReader(int subtask) {
    kafka.addReader(subtask);
    if (open) {
      tell(subtask);
    }
  }

  @Override
  public void handleSplitRequest(int subtask, String host) {
    kafka.handleSplitRequest(subtask, host);
  }

  @Override
  public void addSplitsBack(List<KafkaPartitionSplit> splits, int subtask) {
    kafka.addSplitsBack(splits, subtask);
  }

  @Override
  public void handleSourceEvent(int subtask, SourceEvent event) {
    kafka.handleSourceEvent(subtask, event);
  }

  @Override
  public GateState snapshotState(long checkpointId) throws Exception {
    return new GateState(kafka.snapshotState(checkpointId), open, from);
  }

  @Override
  public void notifyCheckpointComplete(long checkpointId) throws Exception {
    kafka.notifyCheckpointComplete(checkpointId);
  }

  @Override
  public void close() throws IOException {
    try {
      watch.close();
    } finally {
      kafka.close();
    }
  }
}
