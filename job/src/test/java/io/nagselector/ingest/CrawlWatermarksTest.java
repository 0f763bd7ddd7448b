package io.nagselector.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A crawl partition's watermark: trailing while read, held before its first record, final once its
 * reader has caught up.
 */
class CrawlWatermarksTest {
  private long now = 1_000;
  private final List<String> emitted = new ArrayList<>();
  private final WatermarkOutput output =
      new WatermarkOutput() {
        @Override
        public void emitWatermark(Watermark watermark) {
          emitted.add(String.valueOf(watermark.getTimestamp()));
        }

        @Override
        public void markIdle() {
          emitted.add("idle");
        }

        @Override
        public void markActive() {
          emitted.add("active");
        }
      };

  private CrawlWatermarks<String> generator() {
    return new CrawlWatermarks<>(Duration.ofMillis(100), Duration.ofMillis(2_000), () -> now);
  }

  @AfterEach
  void forgetTheReader() {
    ReaderProgress.forget();
  }

  @Test
  void aPartitionTrailsItsLatestTimestampWhileItsReaderHasHadSomethingToReadAllAlong() {
    ReaderProgress.register(() -> now);
    CrawlWatermarks<String> read = generator();
    read.onEvent("a", 50_000, output);
    read.onEvent("b", 49_000, output); // out of order within the partition
    now += 5_000; // long, but the reader never found nothing to read: a backlog, or back-pressure
    read.onPeriodicEmit(output);
    assertThat(emitted).containsExactly("49899");
  }

  @Test
  void aQuietPartitionWhoseReaderFoundNothingFlushesItsLatestTimestampThenGoesIdle() {
    ReaderProgress reader = ReaderProgress.register(() -> now);
    CrawlWatermarks<String> quiet = generator();
    quiet.onEvent("a", 50_000, output);
    reader.foundNothing(); // all fetched was emitted
    now += 1_999;
    quiet.onPeriodicEmit(output);
    assertThat(emitted).containsExactly("49899");
    now += 1;
    quiet.onPeriodicEmit(output);
    quiet.onPeriodicEmit(output);
    assertThat(emitted).containsExactly("49899", "50000", "idle");
    // records again, with older timestamps than the flush: the watermark never goes back
    quiet.onEvent("b", 49_000, output);
    quiet.onPeriodicEmit(output);
    assertThat(emitted).endsWith("50000");
  }

  @Test
  void aPartitionIsNotCaughtUpWhileItsReaderHasFoundSomethingToReadEverySinceItsLastRecord() {
    ReaderProgress reader = ReaderProgress.register(() -> now);
    CrawlWatermarks<String> waiting = generator();
    reader.foundNothing();
    now += 1;
    waiting.onEvent("a", 10_000, output); // the reader has read other partitions since
    now += 3_000;
    waiting.onPeriodicEmit(output);
    assertThat(emitted).containsExactly("9899");
    reader.foundNothing();
    waiting.onPeriodicEmit(output);
    assertThat(emitted).containsExactly("9899", "10000");
  }

  @Test
  void withoutAReaderThatReportsAPartitionQuietForTheDelayCountsAsCaughtUp() {
    ReaderProgress.forget();
    CrawlWatermarks<String> alone = generator();
    alone.onEvent("a", 7_000, output);
    now += 2_000;
    alone.onPeriodicEmit(output);
    alone.onPeriodicEmit(output);
    assertThat(emitted).containsExactly("7000", "idle");
  }
}
