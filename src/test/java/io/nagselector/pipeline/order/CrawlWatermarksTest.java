package io.nagselector.pipeline.order;

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
  void whileItsReaderReadsAPartitionTrailsItsLatestTimestampAndOneWithoutARecordHoldsBack() {
    ReaderProgress reader = ReaderProgress.register(() -> now);
    CrawlWatermarks<String> read = generator();
    CrawlWatermarks<String> notYet = generator();
    reader.reading();
    read.onEvent("a", 50_000, output);
    read.onEvent("b", 49_000, output); // out of order within the partition
    now += 5_000; // long, but the reader has more to read: a backlog, not a quiet partition
    read.onPeriodicEmit(output);
    notYet.onPeriodicEmit(output);
    assertThat(emitted).containsExactly("49899");
  }

  @Test
  void onceTheReaderHasCaughtUpAPartitionFlushesItsLatestTimestampThenGoesIdleUntilItsNextRecord() {
    ReaderProgress reader = ReaderProgress.register(() -> now);
    CrawlWatermarks<String> read = generator();
    CrawlWatermarks<String> empty = generator();
    read.onEvent("a", 50_000, output);
    reader.caughtUp();
    now += 1_999;
    read.onPeriodicEmit(output);
    assertThat(emitted).containsExactly("49899");
    now += 1;
    read.onPeriodicEmit(output);
    read.onPeriodicEmit(output);
    empty.onPeriodicEmit(output);
    assertThat(emitted).containsExactly("49899", "50000", "idle", "idle");
    // records again, with older timestamps than the flush: the watermark never goes back
    read.onEvent("b", 49_000, output);
    read.onPeriodicEmit(output);
    assertThat(emitted).endsWith("50000");
  }

  @Test
  void aRecordReadSinceTheReaderLastFoundNoneKeepsItFromCountingAsCaughtUp() {
    ReaderProgress reader = ReaderProgress.register(() -> now);
    CrawlWatermarks<String> a = generator();
    CrawlWatermarks<String> b = generator();
    a.onEvent("a", 10_000, output);
    reader.caughtUp();
    now += 1_500;
    b.onEvent("b", 10_500, output); // another partition's record: the reader was not caught up
    now += 1_000;
    a.onPeriodicEmit(output);
    assertThat(emitted).containsExactly("9899");
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
