package io.nagselector.cli;

import java.io.PrintStream;
import java.util.function.LongConsumer;

/**
 * A one-line progress display on stderr (rows read, rows/s), redrawn at most twice a second. Silent
 * when asked or when stderr is not a terminal.
 */
final class Progress implements LongConsumer {
  private final PrintStream out;
  private final boolean enabled;
  private final long start = System.nanoTime();
  private long rows;
  private long lastDraw;

  Progress(PrintStream out, boolean enabled) {
    this.out = out;
    this.enabled = enabled;
  }

  static Progress forTerminal(boolean quiet) {
    return new Progress(System.err, !quiet && System.console() != null);
  }

  @Override
  public void accept(long n) {
    rows += n;
    if (enabled && (rows & 1023) == 0) {
      long now = System.nanoTime();
      if (now - lastDraw > 500_000_000L) {
        lastDraw = now;
        out.printf("\r  %,d rows read  (%,.0f rows/s)   ", rows, rate(now));
      }
    }
  }

  long rows() {
    return rows;
  }

  double seconds() {
    return (System.nanoTime() - start) / 1e9;
  }

  private double rate(long now) {
    double s = (now - start) / 1e9;
    return s > 0 ? rows / s : 0;
  }

  void finish() {
    if (enabled && lastDraw != 0) {
      out.print("\r" + " ".repeat(60) + "\r");
    }
  }
}
