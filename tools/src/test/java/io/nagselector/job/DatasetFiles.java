package io.nagselector.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.nagselector.avro.SelectedDocument;
import io.nagselector.dataset.ManifestEntry;
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

  /** Whether every finished shard is in its partition's manifest, and nothing else is. */
  static boolean manifestsComplete(Path root) throws IOException {
    Map<Path, List<String>> byPartition = new HashMap<>();
    for (Path f : shards(root)) {
      byPartition.computeIfAbsent(f.getParent(), p -> new ArrayList<>()).add(name(f));
    }
    for (Map.Entry<Path, List<String>> e : byPartition.entrySet()) {
      Path manifest = e.getKey().resolve(ManifestEntry.FILE);
      if (!Files.exists(manifest)) {
        return false;
      }
      List<String> listed =
          ManifestEntry.parseAll(Files.readString(manifest)).stream()
              .map(ManifestEntry::shard)
              .sorted()
              .toList();
      if (!listed.equals(e.getValue().stream().sorted().toList())) {
        return false;
      }
    }
    return !byPartition.isEmpty();
  }

  /**
   * Each shard is listed once in its partition's manifest, with its rows and its tokens; returns
   * the shards' entries.
   */
  static List<ManifestEntry> assertListedOnceInManifests(Map<Path, List<SelectedDocument>> shards)
      throws IOException {
    List<ManifestEntry> entries = new ArrayList<>();
    for (Map.Entry<Path, List<SelectedDocument>> e : shards.entrySet()) {
      Path shard = e.getKey();
      List<ManifestEntry> listed =
          ManifestEntry.parseAll(Files.readString(shard.resolveSibling(ManifestEntry.FILE)))
              .stream()
              .filter(m -> m.shard().equals(name(shard)))
              .toList();
      assertThat(listed).as("listed once: " + shard).hasSize(1);
      assertThat(listed.get(0).rows()).isEqualTo(e.getValue().size());
      assertThat(listed.get(0).tokens())
          .isEqualTo(e.getValue().stream().mapToLong(SelectedDocument::getTokens).sum());
      entries.add(listed.get(0));
    }
    return entries;
  }

  private static String name(Path f) {
    return f.getFileName().toString();
  }
}
