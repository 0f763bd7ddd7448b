package io.nagselector.ingest.gate;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.connector.source.ReaderOutput;
import org.apache.flink.api.connector.source.SourceEvent;
import org.apache.flink.api.connector.source.SourceOutput;
import org.apache.flink.api.connector.source.SourceReader;
import org.apache.flink.connector.kafka.source.split.KafkaPartitionSplit;
import org.apache.flink.core.io.InputStatus;
import org.junit.jupiter.api.Test;

/**
 * The gate around a reader that always has a record (a stand-in for Kafka's reader, which the
 * broker test {@code ReplayBeforeScoringIT} runs for real).
 */
class GatedReaderTest {
  /** Always one more record; passes other events on. */
  private static final class EndlessReader implements SourceReader<String, KafkaPartitionSplit> {
    final List<SourceEvent> events = new ArrayList<>();
    int emitted;

    @Override
    public void start() {}

    @Override
    public InputStatus pollNext(ReaderOutput<String> output) {
      output.collect("record-" + emitted++);
      return InputStatus.MORE_AVAILABLE;
    }

    @Override
    public List<KafkaPartitionSplit> snapshotState(long checkpointId) {
      return List.of();
    }

    @Override
    public CompletableFuture<Void> isAvailable() {
      return CompletableFuture.completedFuture(null);
    }

    @Override
    public void addSplits(List<KafkaPartitionSplit> splits) {}

    @Override
    public void notifyNoMoreSplits() {}

    @Override
    public void handleSourceEvents(SourceEvent event) {
      events.add(event);
    }

    @Override
    public void close() {}
  }

  private static final class Collected implements ReaderOutput<String> {
    final List<String> records = new ArrayList<>();

    @Override
    public void collect(String record) {
      records.add(record);
    }

    @Override
    public void collect(String record, long timestamp) {
      records.add(record);
    }

    @Override
    public void emitWatermark(Watermark watermark) {}

    @Override
    public void markIdle() {}

    @Override
    public void markActive() {}

    @Override
    public SourceOutput<String> createOutputForSplit(String splitId) {
      return this;
    }

    @Override
    public void releaseOutputForSplit(String splitId) {}
  }

  @Test
  void aClosedGateEmitsNothingAndIsAvailableOnlyOnceOpened() throws Exception {
    EndlessReader kafka = new EndlessReader();
    GatedReader<String> reader = new GatedReader<>(kafka);
    Collected out = new Collected();
    reader.start();
    for (int i = 0; i < 3; i++) {
      assertThat(reader.pollNext(out)).isEqualTo(InputStatus.NOTHING_AVAILABLE);
    }
    CompletableFuture<Void> available = reader.isAvailable();
    assertThat(available).isNotDone();
    assertThat(out.records).isEmpty();
    assertThat(kafka.emitted).isZero();

    SourceEvent other = new SourceEvent() {};
    reader.handleSourceEvents(other);
    assertThat(available).isNotDone();
    assertThat(kafka.events).containsExactly(other);

    reader.handleSourceEvents(new GateOpened());
    assertThat(available).isDone();
    assertThat(kafka.events).containsExactly(other);
    assertThat(reader.pollNext(out)).isEqualTo(InputStatus.MORE_AVAILABLE);
    assertThat(reader.pollNext(out)).isEqualTo(InputStatus.MORE_AVAILABLE);
    assertThat(out.records).containsExactly("record-0", "record-1");
    assertThat(reader.isAvailable()).isDone();
  }
}
