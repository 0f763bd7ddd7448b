package io.nagselector.io;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.LongConsumer;
import org.apache.avro.generic.GenericRecord;
import org.apache.parquet.avro.AvroParquetReader;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.io.LocalInputFile;

/** Reads rows of JSONL and Parquet files as ordered maps of plain Java values. */
public final class RowFiles {
  private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {};

  /** Receives each row with where it came from. */
  @FunctionalInterface
  public interface RowVisitor {
    void row(Map<String, Object> row, Location where);
  }

  private RowFiles() {}

  public static void read(
      List<Path> files, RowVisitor visitor, BadRows bad, LongConsumer progress) {
    for (Path file : files) {
      switch (DataFormat.of(file)) {
        case JSONL -> readJsonl(file, visitor, bad, progress);
        case PARQUET ->
            readParquet(
                file, (record, where) -> visitor.row(AvroValues.toMap(record), where), progress);
      }
    }
  }

  private static void readJsonl(Path file, RowVisitor visitor, BadRows bad, LongConsumer progress) {
    try (LineReader lines = new LineReader(new BufferedInputStream(Files.newInputStream(file)))) {
      while (lines.next()) {
        if (lines.isBlank()) {
          continue;
        }
        Location where = Location.line(file, lines.lineNumber());
        Map<String, Object> row;
        try {
          row = Json.MAPPER.readValue(lines.buffer(), lines.offset(), lines.length(), MAP);
        } catch (JsonProcessingException e) {
          bad.rejectMalformedJson(where, e, lines.text());
          continue;
        }
        visitor.row(row, where);
        progress.accept(1);
      }
    } catch (IOException e) {
      throw new UserInputException("cannot read " + file + ": " + e.getMessage(), e);
    }
  }

  /** How many rows the files hold (non-blank JSON lines, Parquet footer counts). */
  public static long countRows(List<Path> files) {
    long rows = 0;
    for (Path file : files) {
      try {
        if (DataFormat.of(file) == DataFormat.PARQUET) {
          try (var reader = ParquetFileReader.open(new LocalInputFile(file))) {
            rows += reader.getRecordCount();
          }
        } else {
          try (LineReader lines =
              new LineReader(new BufferedInputStream(Files.newInputStream(file)))) {
            while (lines.next()) {
              rows += lines.isBlank() ? 0 : 1;
            }
          }
        }
      } catch (IOException | RuntimeException e) {
        throw new UserInputException("cannot read " + file + ": " + e.getMessage(), e);
      }
    }
    return rows;
  }

  /** Receives each Parquet record. */
  @FunctionalInterface
  interface RecordVisitor {
    void record(GenericRecord record, Location where);
  }

  static void readParquet(Path file, RecordVisitor visitor, LongConsumer progress) {
    ParquetReader<GenericRecord> reader;
    try {
      reader = AvroParquetReader.<GenericRecord>builder(new LocalInputFile(file)).build();
    } catch (IOException | RuntimeException e) {
      throw notParquet(file, e);
    }
    try (reader) {
      long row = 0;
      while (true) {
        GenericRecord record;
        try {
          record = reader.read();
        } catch (IOException | RuntimeException e) {
          throw notParquet(file, e);
        }
        if (record == null) {
          break;
        }
        visitor.record(record, Location.row(file, ++row));
        progress.accept(1);
      }
    } catch (IOException e) {
      throw new UserInputException("cannot read " + file + ": " + e.getMessage(), e);
    }
  }

  private static UserInputException notParquet(Path file, Exception e) {
    String detail = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    return new UserInputException(file + ": not a readable Parquet file (" + detail + ")", e);
  }
}
