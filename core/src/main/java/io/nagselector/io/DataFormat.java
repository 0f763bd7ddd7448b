package io.nagselector.io;

import java.nio.file.Path;
import java.util.Locale;

/** The file formats we read and write, chosen by extension. */
public enum DataFormat {
  JSONL,
  PARQUET;

  public static boolean isDataFile(Path path) {
    String name = path.getFileName().toString().toLowerCase(Locale.ROOT);
    return name.endsWith(".jsonl") || name.endsWith(".json") || name.endsWith(".parquet");
  }

  /** The format of {@code path}; {@code .json} files are read as JSON lines, like the reference. */
  public static DataFormat of(Path path) {
    String name = path.getFileName().toString().toLowerCase(Locale.ROOT);
    if (name.endsWith(".parquet")) {
      return PARQUET;
    }
    if (name.endsWith(".jsonl") || name.endsWith(".json")) {
      return JSONL;
    }
    throw new UserInputException(path + ": unknown file type (expected .parquet, .jsonl or .json)");
  }
}
