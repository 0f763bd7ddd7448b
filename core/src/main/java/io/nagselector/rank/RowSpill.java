package io.nagselector.rank;

import com.fasterxml.jackson.core.type.TypeReference;
import io.nagselector.io.Json;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

/**
 * Rows parked on disk by their output position, so a large selection can be written in selection
 * order while the payload is read in file order. The temp file is deleted on close.
 */
final class RowSpill implements AutoCloseable {
  private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {};

  private final Path file;
  private final RandomAccessFile data;
  private final long[] offsets;
  private final int[] lengths;
  private long end;

  RowSpill(int slots, Path directory) throws IOException {
    file = Files.createTempFile(directory, ".nag-spill-", ".jsonl");
    data = new RandomAccessFile(file.toFile(), "rw");
    offsets = new long[slots];
    lengths = new int[slots];
    Arrays.fill(offsets, -1);
  }

  void put(int slot, Map<String, Object> row) throws IOException {
    byte[] bytes = Json.MAPPER.writeValueAsBytes(row);
    data.seek(end);
    data.write(bytes);
    offsets[slot] = end;
    lengths[slot] = bytes.length;
    end += bytes.length;
  }

  boolean has(int slot) {
    return offsets[slot] >= 0;
  }

  Map<String, Object> get(int slot) throws IOException {
    byte[] bytes = new byte[lengths[slot]];
    data.seek(offsets[slot]);
    data.readFully(bytes);
    return Json.MAPPER.readValue(bytes, MAP);
  }

  @Override
  public void close() throws IOException {
    data.close();
    Files.deleteIfExists(file);
  }
}
