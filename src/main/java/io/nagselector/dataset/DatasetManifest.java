package io.nagselector.dataset;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;
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
 * partitions the selections went to, and which sink writer took them; after every completed
 * checkpoint it lists those partitions and adds the shards that are finished and not yet listed.
 * The file sink's committers commit a checkpoint's shards on the same notification, so for the
 * partitions written in it the listing waits (up to {@link #COMMIT_WAIT_MILLIS}) until there are at
 * least as many new shards as writers wrote there: a writer rolls one shard per checkpoint, and
 * without the wait the last shards of a stop with a savepoint were listed only when the job ran
 * again. A partition stays on its list while it has a part in progress or was written after the
 * checkpoint (on S3 a part in progress is not a file, so the listing alone cannot tell). The
 * manifest is a function of the finished files, rewritten whole: every shard is listed once, after
 * any failure too. One instance (parallelism 1).
 */
public final class DatasetManifest extends ProcessFunction<PartitionWrite, Void>
    implements CheckpointedFunction, CheckpointListener {
  private static final ListStateDescriptor<String> PARTITIONS =
      new ListStateDescriptor<>("manifest-partitions", Types.STRING);

  /** How long a notification waits for the committers of its checkpoint. */
  static final long COMMIT_WAIT_MILLIS = 10_000;

  private final String root;
  private transient Set<String> partitions;
  private transient ListState<String> partitionsState;

  /** Per partition, the writers that wrote it since the last barrier. */
  private transient Map<String, Set<Integer>> sinceBarrier;

  /** The same per checkpoint, until that checkpoint's notification. */
  private transient NavigableMap<Long, Map<String, Set<Integer>>> byCheckpoint;

  public DatasetManifest(String root) {
    this.root = root;
  }

  @Override
  public void processElement(PartitionWrite write, Context ctx, Collector<Void> out) {
    partitions.add(write.partition());
    sinceBarrier.computeIfAbsent(write.partition(), p -> new HashSet<>()).add(write.writer());
  }

  @Override
  public void notifyCheckpointComplete(long checkpointId) throws Exception {
    // a notification may stand for earlier checkpoints too: their shards are committed now
    Map<String, Integer> committing = new HashMap<>();
    byCheckpoint
        .headMap(checkpointId, true)
        .values()
        .forEach(m -> m.forEach((p, writers) -> committing.merge(p, writers.size(), Integer::sum)));
    byCheckpoint.headMap(checkpointId, true).clear();
    for (String partition : List.copyOf(partitions)) {
      boolean idle =
          update(
              new PartitionFiles(new Path(root, partition)),
              checkpointId,
              committing.getOrDefault(partition, 0),
              COMMIT_WAIT_MILLIS);
      boolean writtenSince =
          sinceBarrier.containsKey(partition)
              || byCheckpoint.values().stream().anyMatch(m -> m.containsKey(partition));
      if (idle && !writtenSince) {
        partitions.remove(partition);
      }
    }
  }

  /** Adds the partition's new finished shards; true when no part of it is in progress. */
  static boolean update(PartitionFiles files, long checkpointId) throws Exception {
    return update(files, checkpointId, 0, 0);
  }

  /**
   * The same, once at least {@code expectedNew} finished shards are not yet listed, or after {@code
   * waitMillis}.
   */
  static boolean update(PartitionFiles files, long checkpointId, int expectedNew, long waitMillis)
      throws Exception {
    long deadline = System.currentTimeMillis() + waitMillis;
    while (true) {
      PartitionFiles.Listing listing = files.list();
      String manifest = files.readManifest();
      Set<String> listed = new HashSet<>();
      ManifestEntry.parseAll(manifest).forEach(e -> listed.add(e.shard()));
      List<FileStatus> unlisted = new ArrayList<>();
      for (FileStatus shard : listing.shards()) {
        if (!listed.contains(shard.getPath().getName())) {
          unlisted.add(shard);
        }
      }
      if (unlisted.size() >= expectedNew || System.currentTimeMillis() >= deadline) {
        List<String> added = new ArrayList<>();
        for (FileStatus shard : unlisted) {
          added.add(files.entry(shard, checkpointId).line());
        }
        if (!added.isEmpty()) {
          added.sort(null);
          files.writeManifest(manifest + String.join("\n", added) + "\n");
        }
        return !listing.inProgress();
      }
      Thread.sleep(100);
    }
  }

  @Override
  public void snapshotState(FunctionSnapshotContext context) throws Exception {
    partitionsState.update(new ArrayList<>(partitions));
    if (!sinceBarrier.isEmpty()) {
      byCheckpoint.put(context.getCheckpointId(), sinceBarrier);
      sinceBarrier = new HashMap<>();
    }
  }

  @Override
  public void initializeState(FunctionInitializationContext context) throws Exception {
    partitionsState = context.getOperatorStateStore().getUnionListState(PARTITIONS);
    partitions = new LinkedHashSet<>();
    partitionsState.get().forEach(partitions::add);
    sinceBarrier = new HashMap<>();
    byCheckpoint = new TreeMap<>();
  }
}
