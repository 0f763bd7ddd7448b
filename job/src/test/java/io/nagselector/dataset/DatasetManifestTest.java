package io.nagselector.dataset;

import static org.assertj.core.api.Assertions.assertThat;

import io.nagselector.avro.SelectedDocument;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.apache.flink.api.common.serialization.BulkWriter;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.connector.file.sink.FileSinkCommittable;
import org.apache.flink.core.fs.FSDataOutputStream;
import org.apache.flink.core.fs.FileStatus;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.local.LocalFileSystem;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.connector.sink2.CommittableMessage;
import org.apache.flink.streaming.api.connector.sink2.CommittableWithLineage;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.streaming.api.functions.sink.filesystem.InProgressFileWriter;
import org.apache.flink.streaming.api.operators.ProcessOperator;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.apache.flink.util.Collector;
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

  private static CommittableMessage<FileSinkCommittable> committed(
      String partition, long checkpoint, boolean pendingFile) {
    FileSinkCommittable committable =
        pendingFile
            ? new FileSinkCommittable(partition, new NoFile())
            : new FileSinkCommittable(partition, new org.apache.flink.core.fs.Path("/compacted"));
    return new CommittableWithLineage<>(committable, checkpoint, 0);
  }

  /** A committed shard as the committers send it on: only its partition and checkpoint are read. */
  private record NoFile() implements InProgressFileWriter.PendingFileRecoverable {
    @Override
    public org.apache.flink.core.fs.Path getPath() {
      return null;
    }

    @Override
    public long getSize() {
      return -1;
    }
  }

  /**
   * After the committers: each committed shard's partition is listed, and what is new in it is
   * added as of the checkpoint that committed it; a committable with no shard (a clean-up) lists
   * nothing; the same checkpoint sent again (a restored committer's) adds nothing twice.
   */
  @Test
  void eachCommittedShardListsItsPartition() throws Exception {
    String p = "target=science/version=2/date=2026-12-01";
    Path partition = dir.resolve(p);
    Files.createDirectories(partition);
    try (var h =
        ProcessFunctionTestHarnesses.forProcessFunction(
            new DatasetManifest(dir.toUri().toString()))) {
      shard(partition.resolve("part-w0-0.parquet"), 2);
      h.processElement(committed(p, 1, true), 0);
      shard(partition.resolve("part-w1-0.parquet"), 3);
      h.processElement(committed(p, 2, false), 0);
      assertThat(ManifestEntry.parseAll(Files.readString(partition.resolve(ManifestEntry.FILE))))
          .containsExactly(new ManifestEntry("part-w0-0.parquet", 1, 2, 1));
      h.processElement(committed(p, 2, true), 0);
      h.processElement(committed(p, 2, true), 0);
      assertThat(ManifestEntry.parseAll(Files.readString(partition.resolve(ManifestEntry.FILE))))
          .containsExactly(
              new ManifestEntry("part-w0-0.parquet", 1, 2, 1),
              new ManifestEntry("part-w1-0.parquet", 1, 3, 2));
    }
  }

  /**
   * Earlier builds kept the partitions they had still to list in union state: a restore lists them
   * once, as of the restored checkpoint, and keeps nothing.
   */
  @Test
  void theUnlistedPartitionsOfAnEarlierBuildAreListedOnRestore() throws Exception {
    String p = "target=science/version=2/date=2026-12-01";
    Path partition = dir.resolve(p);
    Files.createDirectories(partition);
    shard(partition.resolve("part-w0-0.parquet"), 4);
    OperatorSubtaskState earlier;
    try (var old =
        ProcessFunctionTestHarnesses.forProcessFunction(new PartitionsOfAnEarlierBuild(p))) {
      earlier = old.snapshot(7, 0);
    }
    try (var h =
        new OneInputStreamOperatorTestHarness<>(
            new ProcessOperator<>(new DatasetManifest(dir.toUri().toString())))) {
      h.setup();
      h.setRestoredCheckpointId(7);
      h.initializeState(earlier);
      h.open();
      assertThat(ManifestEntry.parseAll(Files.readString(partition.resolve(ManifestEntry.FILE))))
          .containsExactly(new ManifestEntry("part-w0-0.parquet", 1, 4, 7));
      OperatorSubtaskState next = h.snapshot(8, 0);
      assertThat(next.getManagedOperatorState())
          .allSatisfy(
              handle ->
                  assertThat(
                          handle
                              .getStateNameToPartitionOffsets()
                              .get("manifest-partitions")
                              .getOffsets())
                      .isEmpty());
    }
  }

  /** The shape of an earlier build's manifest: its partitions still to list, in union state. */
  private static final class PartitionsOfAnEarlierBuild
      extends ProcessFunction<CommittableMessage<FileSinkCommittable>, Void>
      implements CheckpointedFunction {
    private final String partition;
    private transient ListState<String> state;

    PartitionsOfAnEarlierBuild(String partition) {
      this.partition = partition;
    }

    @Override
    public void processElement(
        CommittableMessage<FileSinkCommittable> in, Context ctx, Collector<Void> out) {}

    @Override
    public void snapshotState(FunctionSnapshotContext context) throws Exception {
      state.update(List.of(partition));
    }

    @Override
    public void initializeState(FunctionInitializationContext context) throws Exception {
      state =
          context
              .getOperatorStateStore()
              .getUnionListState(new ListStateDescriptor<>("manifest-partitions", Types.STRING));
    }
  }
}
