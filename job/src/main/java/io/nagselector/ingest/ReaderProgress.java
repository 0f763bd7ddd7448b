package io.nagselector.ingest;

import java.util.function.LongSupplier;

/**
 * When a source reader last found nothing to read: all it had fetched was emitted. A partition
 * whose last record came before that, and long enough ago, has nothing more now; one whose reader
 * has had something to read all along (a backlog, or back-pressure) may be only waiting its turn.
 * Only the reader knows this, so it reports here and the watermark generators of its task ask: they
 * run on the task's thread, where the reader registered it. A reader held back by the crawl gate
 * reports nothing.
 */
public final class ReaderProgress {
  private static final ThreadLocal<ReaderProgress> CURRENT = new ThreadLocal<>();

  private final LongSupplier clock;
  private long foundNothingAt = Long.MIN_VALUE;

  private ReaderProgress(LongSupplier clock) {
    this.clock = clock;
  }

  /** A reader's progress, for the generators of the calling task thread. */
  public static ReaderProgress register(LongSupplier clock) {
    ReaderProgress progress = new ReaderProgress(clock);
    CURRENT.set(progress);
    return progress;
  }

  /** Forgets the calling thread's reader (tests). */
  static void forget() {
    CURRENT.remove();
  }

  /** The progress the reader of the calling task registered, or null. */
  public static ReaderProgress current() {
    return CURRENT.get();
  }

  /** The reader found nothing to read. */
  public void foundNothing() {
    foundNothingAt = clock.getAsLong();
  }

  /** Whether the reader has found nothing to read at {@code time} or since. */
  public boolean foundNothingSince(long time) {
    return foundNothingAt >= time;
  }
}
