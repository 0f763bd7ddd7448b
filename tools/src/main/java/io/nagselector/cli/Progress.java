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
  private String unit = "rows read";
  private long total;

  Progress(PrintStream out, boolean enabled) {
    this.out = out;
    this.enabled = enabled;
  }

  /** Counts {@code unit} (e.g. "docs") out of {@code total}, adding an ETA. */
  Progress of(String unit, long total) {
    this.unit = unit;
    this.total = total;
    return this;
  }

  static Progress forTerminal(boolean quiet) {
    return new Progress(System.err, !quiet && System.console() != null);
  }

  @Override
  public void accept(long n) {
    rows += n;
    if (enabled && (total > 0 || (rows & 1023) == 0)) {
      long now = System.nanoTime();
      if (now - lastDraw > 500_000_000L) {
        lastDraw = now;
        double rate = rate(now);
        String eta =
            total > 0 && rate > 0 ? String.format("  ETA %.0f s", (total - rows) / rate) : "";
        String of = total > 0 ? String.format(" of %,d", total) : "";
        out.printf("\r  %,d%s %s  (%,.0f/s)%s   ", rows, of, unit, rate, eta);
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
