package io.nagselector.dataset;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.connector.file.sink.FileSinkCommittable;
import org.apache.flink.core.fs.FileStatus;
import org.apache.flink.core.fs.Path;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.connector.sink2.CommittableMessage;
import org.apache.flink.streaming.api.connector.sink2.CommittableWithLineage;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Keeps each partition's manifest ({@link ManifestEntry}) listing its finished shards, after the
 * file sink's committers (its post-commit topology): each shard they committed names its partition
 * (the bucket), whose shards not yet in its manifest are then added, as of the checkpoint that
 * committed them. A committed shard is a final file by then, so nothing waits or polls. The
 * manifest is a function of the finished files, rewritten whole: every shard is listed once, after
 * any failure too (a restored committer commits and sends its last checkpoint's shards again). One
 * instance (parallelism 1).
 */
public final class DatasetManifest
    extends ProcessFunction<CommittableMessage<FileSinkCommittable>, Void>
    implements CheckpointedFunction {
  /**
   * The partitions earlier builds (savepoint fixtures up to v9) had still to list: listed once on
   * restore, then empty.
   */
  private static final ListStateDescriptor<String> PARTITIONS =
      new ListStateDescriptor<>("manifest-partitions", Types.STRING);

  private final String root;
  private transient ListState<String> earlier;

  public DatasetManifest(String root) {
    this.root = root;
  }

  @Override
  public void processElement(
      CommittableMessage<FileSinkCommittable> message, Context ctx, Collector<Void> out)
      throws Exception {
    if (message instanceof CommittableWithLineage<FileSinkCommittable> committed
        && committed.getCommittable().hasPendingFile()) {
      String partition = committed.getCommittable().getBucketId();
      update(new PartitionFiles(new Path(root, partition)), committed.getCheckpointId());
    }
  }

  /**
   * Adds the partition's finished shards not yet listed; true when no part of it is in progress.
   */
  static boolean update(PartitionFiles files, long checkpointId) throws Exception {
    PartitionFiles.Listing listing = files.list();
    String manifest = files.readManifest();
    Set<String> listed = new HashSet<>();
    ManifestEntry.parseAll(manifest).forEach(e -> listed.add(e.shard()));
    List<String> added = new ArrayList<>();
    for (FileStatus shard : listing.shards()) {
      if (!listed.contains(shard.getPath().getName())) {
        added.add(files.entry(shard, checkpointId).line());
      }
    }
    if (!added.isEmpty()) {
      added.sort(null);
      files.writeManifest(manifest + String.join("\n", added) + "\n");
    }
    return !listing.inProgress();
  }

  @Override
  public void snapshotState(FunctionSnapshotContext context) throws Exception {
    earlier.clear();
  }

  @Override
  public void initializeState(FunctionInitializationContext context) throws Exception {
    earlier = context.getOperatorStateStore().getUnionListState(PARTITIONS);
    if (!context.isRestored()) {
      return;
    }
    for (String partition : earlier.get()) {
      // as of the restored checkpoint: what its committers committed, they committed by then
      update(
          new PartitionFiles(new Path(root, partition)),
          context.getRestoredCheckpointId().orElse(0L));
    }
  }
}
