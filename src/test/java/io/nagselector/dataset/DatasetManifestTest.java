package io.nagselector.dataset;

import static org.assertj.core.api.Assertions.assertThat;

import io.nagselector.avro.SelectedDocument;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.List;
import org.apache.flink.api.common.serialization.BulkWriter;
import org.apache.flink.core.fs.FSDataOutputStream;
import org.apache.flink.core.fs.FileStatus;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.local.LocalFileSystem;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatasetManifestTest {
  @TempDir Path dir;

  private static SelectedDocument doc(String id, int tokens) {
    return SelectedDocument.newBuilder()
        .setId(id)
        .setText("text of " + id)
        .setTokens(tokens)
        .setTarget("science")
        .setTargetVersion(2)
        .setSimilarity(0.5)
        .setLayerContributions(List.of(0.25, 0.25))
        .setModelFingerprint("fp")
        .setSelectedAt(Instant.parse("2026-12-01T23:59:59Z"))
        .build();
  }

  /** A shard as the sink writes it, with {@code tokens} for each of its documents. */
  private static void shard(Path file, int... tokens) throws Exception {
    org.apache.flink.core.fs.Path path = new org.apache.flink.core.fs.Path(file.toUri());
    try (FSDataOutputStream out =
        path.getFileSystem().create(path, FileSystem.WriteMode.NO_OVERWRITE)) {
      BulkWriter<SelectedDocument> writer = new ParquetShards(1 << 20).create(out);
      for (int i = 0; i < tokens.length; i++) {
        writer.addElement(doc(file.getFileName() + "-" + i, tokens[i]));
      }
      writer.finish();
    }
  }

  @Test
  void aPartitionIsListedOnceWhateverTheNotificationsAndKeptOpenWhileAPartIsInProgress()
      throws Exception {
    assertThat(PartitionPath.DEFAULT.of(doc("a", 1)))
        .isEqualTo("target=science/version=2/date=2026-12-01");
    Path partition = dir.resolve("target=science/version=2/date=2026-12-01");
    Files.createDirectories(partition);
    shard(partition.resolve("part-a-0.parquet"), 3, 4);
    Path inProgress = partition.resolve(".part-a-1.parquet.inprogress.x");
    Files.writeString(inProgress, "half a shard");
    PartitionFiles files = new PartitionFiles(new org.apache.flink.core.fs.Path(partition.toUri()));

    assertThat(DatasetManifest.update(files, 7)).as("a part is in progress").isFalse();
    assertThat(DatasetManifest.update(files, 8)).isFalse();
    assertThat(ManifestEntry.parseAll(Files.readString(partition.resolve(ManifestEntry.FILE))))
        .containsExactly(new ManifestEntry("part-a-0.parquet", 2, 7, 7));

    Files.delete(inProgress);
    shard(partition.resolve("part-a-1.parquet"), 10);
    assertThat(DatasetManifest.update(files, 9)).isTrue();
    assertThat(DatasetManifest.update(files, 10)).isTrue();
    assertThat(ManifestEntry.parseAll(Files.readString(partition.resolve(ManifestEntry.FILE))))
        .containsExactly(
            new ManifestEntry("part-a-0.parquet", 2, 7, 7),
            new ManifestEntry("part-a-1.parquet", 1, 10, 9));
  }

  /**
   * A part the committer renames while the manifest lists the partition (a local listing reads the
   * names, then each one's status): the listing is taken again, not failed (RescaleIT once failed
   * the job on it).
   */
  @Test
  void aListingThatRacesTheCommitterIsTakenAgain() throws Exception {
    Path partition = dir.resolve("p");
    Files.createDirectories(partition);
    shard(partition.resolve("part-a-0.parquet"), 2);
    int[] listings = new int[1];
    FileSystem racing =
        new LocalFileSystem() {
          @Override
          public FileStatus[] listStatus(org.apache.flink.core.fs.Path f) throws IOException {
            if (listings[0]++ == 0) {
              throw new FileNotFoundException("File " + f + "/.part-a-1.inprogress does not exist");
            }
            return super.listStatus(f);
          }
        };
    PartitionFiles files =
        new PartitionFiles(racing, new org.apache.flink.core.fs.Path(partition.toUri()));
    assertThat(files.list().shards()).hasSize(1);
    assertThat(listings[0]).isEqualTo(2);
  }

  @Test
  void aNotificationWaitsForTheShardsItsCheckpointCommits() throws Exception {
    Path partition = dir.resolve("p");
    Files.createDirectories(partition);
    PartitionFiles files = new PartitionFiles(new org.apache.flink.core.fs.Path(partition.toUri()));
    // the committer renames its shard a moment after the notification reached the manifest
    Thread committer =
        new Thread(
            () -> {
              try {
                Thread.sleep(300);
                shard(dir.resolve("part-w-0.parquet"), 5); // then renamed, as a committer does
                Files.move(
                    dir.resolve("part-w-0.parquet"),
                    partition.resolve("part-w-0.parquet"),
                    StandardCopyOption.ATOMIC_MOVE);
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
            });
    committer.start();
    assertThat(DatasetManifest.update(files, 3, 1, 10_000)).isTrue();
    committer.join();
    assertThat(ManifestEntry.parseAll(Files.readString(partition.resolve(ManifestEntry.FILE))))
        .containsExactly(new ManifestEntry("part-w-0.parquet", 1, 5, 3));
    // and gives up after its wait when a shard does not come: nothing listed, nothing lost
    assertThat(DatasetManifest.update(files, 4, 1, 200)).isTrue();
    assertThat(ManifestEntry.parseAll(Files.readString(partition.resolve(ManifestEntry.FILE))))
        .hasSize(1);
  }

  @Test
  void aPartitionWrittenAfterTheCheckpointStaysListedThoughNoPartIsVisible() throws Exception {
    // on S3 a part in progress is not a file: only the writes say the partition is still open
    String p = "target=science/version=2/date=2026-12-01";
    Path partition = dir.resolve(p);
    Files.createDirectories(partition);
    try (var h =
        ProcessFunctionTestHarnesses.forProcessFunction(
            new DatasetManifest(dir.toUri().toString()))) {
      h.processElement(new PartitionWrite(p, 0), 0);
      h.snapshot(1, 0);
      h.processElement(new PartitionWrite(p, 1), 0); // after barrier 1: checkpoint 2's
      shard(partition.resolve("part-w0-0.parquet"), 2);
      h.notifyOfCompletedCheckpoint(1);
      h.snapshot(2, 0);
      shard(partition.resolve("part-w1-0.parquet"), 3);
      h.notifyOfCompletedCheckpoint(2);
      assertThat(ManifestEntry.parseAll(Files.readString(partition.resolve(ManifestEntry.FILE))))
          .containsExactly(
              new ManifestEntry("part-w0-0.parquet", 1, 2, 1),
              new ManifestEntry("part-w1-0.parquet", 1, 3, 2));
      // nothing written since: the partition is closed, and a file appearing later is not its
      h.snapshot(3, 0);
      h.notifyOfCompletedCheckpoint(3);
      shard(partition.resolve("part-stray-0.parquet"), 1);
      h.snapshot(4, 0);
      h.notifyOfCompletedCheckpoint(4);
      assertThat(ManifestEntry.parseAll(Files.readString(partition.resolve(ManifestEntry.FILE))))
          .hasSize(2);
    }
  }
}
