package io.nagselector.pipeline.order;

import java.util.function.LongSupplier;

/**
 * Whether a source reader has caught up with its partitions: it last found nothing to read, and has
 * read no record since; and since when. Only the reader knows this (a partition that has not
 * delivered yet may still hold a backlog), so it reports here and the watermark generators of its
 * task ask: they run on the task's thread, where the reader registered it. A reader held back (by
 * the crawl gate) or busy is not caught up.
 */
public final class ReaderProgress {
  private static final ThreadLocal<ReaderProgress> CURRENT = new ThreadLocal<>();
  private static final long READING = Long.MAX_VALUE;

  private final LongSupplier clock;
  private long caughtUpSince = READING;

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

  /** The reader has more to read, or read a record. */
  public void reading() {
    caughtUpSince = READING;
  }

  /** The reader found nothing to read. */
  public void caughtUp() {
    if (caughtUpSince == READING) {
      caughtUpSince = clock.getAsLong();
    }
  }

  /** How long the reader has had nothing to read (0 while it reads). */
  public long caughtUpFor(long now) {
    return caughtUpSince == READING ? 0 : now - caughtUpSince;
  }
}
