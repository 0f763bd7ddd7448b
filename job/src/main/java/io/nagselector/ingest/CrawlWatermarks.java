package io.nagselector.ingest;

import java.time.Duration;
import java.util.function.LongSupplier;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkOutput;

/**
 * The crawl topic's event time, one generator per partition: the watermark trails the largest
 * timestamp read by {@code outOfOrderness}. A partition is caught up once it has delivered nothing
 * for {@code quietAfter} and its reader has found nothing to read since its last record ({@link
 * ReaderProgress}: a reader busy with a backlog, or back-pressured, has had something to read all
 * along, and the partition may only be waiting its turn). Then everything it delivered is final:
 * the watermark moves up to its largest timestamp, and the partition is marked idle, so that it
 * holds no other partition back until it has records again. Nothing follows the wall clock: a
 * backlog is put in order however old its timestamps are and however fast it is read. (Without a
 * reader that reports, a partition is caught up once it has delivered nothing for {@code
 * quietAfter}.)
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
    if (reader == null) {
      reader = ReaderProgress.current();
    }
    boolean quiet = clock.getAsLong() - lastRecordAt >= quietAfter;
    return reader == null ? quiet : quiet && reader.foundNothingSince(lastRecordAt);
  }

  /** A watermark never goes back, also when records come again after a quiet spell. */
  private void emit(long watermark, WatermarkOutput output) {
    emitted = Math.max(emitted, watermark);
    output.emitWatermark(new Watermark(emitted));
  }
}
