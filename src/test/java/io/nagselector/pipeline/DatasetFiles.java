package io.nagselector.pipeline;

import io.nagselector.avro.SelectedDocument;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.avro.specific.SpecificData;
import org.apache.parquet.avro.AvroParquetReader;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.io.LocalInputFile;

/** A local Parquet dataset as a reader sees it: finished shards only, read whole. */
final class DatasetFiles {
  private DatasetFiles() {}

  /** Every finished shard: not hidden (in-progress parts start with a dot), ending .parquet. */
  static List<Path> shards(Path root) throws IOException {
    if (!Files.exists(root)) {
      return List.of();
    }
    try (Stream<Path> files = Files.walk(root)) {
      return files
          .filter(Files::isRegularFile)
          .filter(f -> !f.getFileName().toString().startsWith("."))
          .filter(f -> f.getFileName().toString().endsWith(".parquet"))
          .sorted()
          .toList();
    }
  }

  static List<SelectedDocument> rows(Path shard) throws IOException {
    List<SelectedDocument> rows = new ArrayList<>();
    try (ParquetReader<SelectedDocument> reader =
        AvroParquetReader.<SelectedDocument>builder(new LocalInputFile(shard))
            .withDataModel(SpecificData.getForClass(SelectedDocument.class))
            .build()) {
      for (SelectedDocument d = reader.read(); d != null; d = reader.read()) {
        rows.add(d);
      }
    }
    return rows;
  }

  /** Shard → its rows: a file that is not a complete Parquet file fails here. */
  static Map<Path, List<SelectedDocument>> read(Path root) throws IOException {
    Map<Path, List<SelectedDocument>> shards = new HashMap<>();
    for (Path f : shards(root)) {
      shards.put(f, rows(f));
    }
    return shards;
  }
}
