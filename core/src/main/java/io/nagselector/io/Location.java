package io.nagselector.io;

import java.nio.file.Path;

/** Where a row came from: a JSONL line or a Parquet row (both 1-based). */
public record Location(Path file, long number, boolean parquet) {
  public static Location line(Path file, long line) {
    return new Location(file, line, false);
  }

  public static Location row(Path file, long row) {
    return new Location(file, row, true);
  }

  @Override
  public String toString() {
    return parquet ? file + " row " + number : file + ":" + number;
  }
}
