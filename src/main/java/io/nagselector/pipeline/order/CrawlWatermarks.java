package io.nagselector.pipeline.order;

import java.time.Duration;
import java.util.function.LongSupplier;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkOutput;

/**
 * The crawl topic's event time, one generator per partition: while its reader reads, the watermark
 * trails the largest timestamp read by {@code outOfOrderness}, and a partition that has delivered
 * nothing yet holds it back (it may hold a backlog). Once the reader has had nothing to read for
 * {@code quietAfter} ({@link ReaderProgress}), everything read is final: the watermark moves up to
 * the largest timestamp, and then the partition is marked idle, so that it holds no other partition
 * back until it has records again. Nothing follows the wall clock: a backlog is put in order
 * however old its timestamps are and however fast it is read. (Without a reader that reports, a
 * partition counts as caught up once it has delivered nothing for {@code quietAfter}.)
 */
public final class CrawlWatermarks<T> implements WatermarkGenerator<T> {
  private final long outOfOrderness;
  private final long quietAfter;
  private final LongSupplier clock;
  private ReaderProgress reader;
  private long maxTimestamp = Long.MIN_VALUE;
  private long lastRecordAt;
  private long emitted = Long.MIN_VALUE;
  private boolean flushed;

  public CrawlWatermarks(Duration outOfOrderness, Duration quietAfter, LongSupplier clock) {
    this.outOfOrderness = outOfOrderness.toMillis();
    this.quietAfter = quietAfter.toMillis();
    this.clock = clock;
    this.lastRecordAt = clock.getAsLong();
  }

  @Override
  public void onEvent(T event, long timestamp, WatermarkOutput output) {
    maxTimestamp = Math.max(maxTimestamp, timestamp);
    lastRecordAt = clock.getAsLong();
    flushed = false;
    if (reader() != null) {
      reader.reading(); // a record read: the reader has not caught up since it last found none
    }
  }

  private ReaderProgress reader() {
    if (reader == null) {
      reader = ReaderProgress.current();
    }
    return reader;
  }

  @Override
  public void onPeriodicEmit(WatermarkOutput output) {
    boolean seen = maxTimestamp != Long.MIN_VALUE;
    if (!caughtUp()) {
      if (seen) {
        emit(maxTimestamp - outOfOrderness - 1, output);
      }
    } else if (seen && !flushed) {
      emit(maxTimestamp, output);
      flushed = true;
    } else {
      output.markIdle();
    }
  }

  private boolean caughtUp() {
    long now = clock.getAsLong();
    boolean quiet = now - lastRecordAt >= quietAfter;
    return reader() == null ? quiet : quiet && reader.caughtUpFor(now) >= quietAfter;
  }

  /** A watermark never goes back, also when records come again after a quiet spell. */
  private void emit(long watermark, WatermarkOutput output) {
    emitted = Math.max(emitted, watermark);
    output.emitWatermark(new Watermark(emitted));
  }
}
