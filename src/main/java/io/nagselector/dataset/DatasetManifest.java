package io.nagselector.dataset;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.apache.flink.api.common.state.CheckpointListener;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.core.fs.FileStatus;
import org.apache.flink.core.fs.Path;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Keeps each partition's manifest ({@link ManifestEntry}) listing its finished shards. It sees the
 * partitions the selections went to; after every completed checkpoint it lists those partitions and
 * adds the shards that are finished and not yet listed. A partition stays on its list while it has
 * in-progress parts (the file sink may commit them after this notification, or on a restore). The
 * manifest is a function of the finished files, rewritten whole: every shard is listed once, after
 * any failure too. One instance (parallelism 1).
 */
public final class DatasetManifest extends ProcessFunction<String, Void>
    implements CheckpointedFunction, CheckpointListener {
  private static final ListStateDescriptor<String> PARTITIONS =
      new ListStateDescriptor<>("manifest-partitions", Types.STRING);

  private final String root;
  private transient Set<String> partitions;
  private transient ListState<String> partitionsState;

  public DatasetManifest(String root) {
    this.root = root;
  }

  @Override
  public void processElement(String partition, Context ctx, Collector<Void> out) {
    partitions.add(partition);
  }

  @Override
  public void notifyCheckpointComplete(long checkpointId) throws Exception {
    for (String partition : List.copyOf(partitions)) {
      if (update(new PartitionFiles(new Path(root, partition)), checkpointId)) {
        partitions.remove(partition);
      }
    }
  }

  /** Adds the partition's new finished shards; true when no part of it is in progress. */
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
    partitionsState.update(new ArrayList<>(partitions));
  }

  @Override
  public void initializeState(FunctionInitializationContext context) throws Exception {
    partitionsState = context.getOperatorStateStore().getUnionListState(PARTITIONS);
    partitions = new LinkedHashSet<>();
    partitionsState.get().forEach(partitions::add);
  }
}
