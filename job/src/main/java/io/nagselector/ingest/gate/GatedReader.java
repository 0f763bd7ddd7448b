package io.nagselector.ingest.gate;

import io.nagselector.ingest.ReaderProgress;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.flink.api.connector.source.ReaderOutput;
import org.apache.flink.api.connector.source.SourceEvent;
import org.apache.flink.api.connector.source.SourceReader;
import org.apache.flink.connector.kafka.source.split.KafkaPartitionSplit;
import org.apache.flink.core.io.InputStatus;

/**
 * Kafka's reader behind the gate: it emits nothing until the enumerator says {@link GateOpened}.
 * Meanwhile its fetchers fill their bounded queue and stop, so the backlog stays in Kafka; its
 * splits and offsets are checkpointed as usual.
 */
final class GatedReader<T> implements SourceReader<T, KafkaPartitionSplit> {
  private final SourceReader<T, KafkaPartitionSplit> kafka;
  private final CompletableFuture<Void> opened = new CompletableFuture<>();
  private ReaderProgress progress;

  GatedReader(SourceReader<T, KafkaPartitionSplit> kafka) {
    this.kafka = kafka;
  }

  boolean open() {
    return opened.isDone();
  }

  @Override
  public void start() {
    progress = ReaderProgress.register(System::currentTimeMillis);
    kafka.start();
  }

  /**
   * Also tells the crawl's watermarks whether Kafka's reader has caught up ({@link
   * ReaderProgress}).
   */
  @Override
  public InputStatus pollNext(ReaderOutput<T> output) throws Exception {
    if (!open()) {
      return InputStatus.NOTHING_AVAILABLE;
    }
    InputStatus status = kafka.pollNext(output);
    if (status != InputStatus.MORE_AVAILABLE) {
      progress.foundNothing();
    }
    return status;
  }

  @Override
  public CompletableFuture<Void> isAvailable() {
    return open() ? kafka.isAvailable() : opened;
  }

  @Override
  public void handleSourceEvents(SourceEvent event) {
    if (event instanceof GateOpened) {
      opened.complete(null);
    } else {
      kafka.handleSourceEvents(event);
    }
  }

  @Override
  public List<KafkaPartitionSplit> snapshotState(long checkpointId) {
    return kafka.snapshotState(checkpointId);
  }

  @Override
  public void addSplits(List<KafkaPartitionSplit> splits) {
    kafka.addSplits(splits);
  }

  @Override
  public void notifyNoMoreSplits() {
    kafka.notifyNoMoreSplits();
  }

  @Override
  public void notifyCheckpointComplete(long checkpointId) throws Exception {
    kafka.notifyCheckpointComplete(checkpointId);
  }

  @Override
  public void notifyCheckpointAborted(long checkpointId) throws Exception {
    kafka.notifyCheckpointAborted(checkpointId);
  }

  @Override
  public void pauseOrResumeSplits(Collection<String> toPause, Collection<String> toResume) {
    kafka.pauseOrResumeSplits(toPause, toResume);
  }

  @Override
  public void close() throws Exception {
    kafka.close();
  }
}
