package io.nagselector.select;

import io.nagselector.pipeline.ExtractedDocument;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.state.FunctionInitializationContext;

/**
 * Documents a shard received before the registry had replayed the control topic (a job started
 * without state), in arrival order, until it has: in RocksDB, not on the heap. The crawl source is
 * not paused meanwhile. Flink's one way to stop reading one input of an operator, {@code
 * InputSelectable}, is refused with checkpointing, and a source can only be paused on another
 * source's watermark, which would say the control topic has been read, not applied. So the
 * documents read during the replay are extracted as usual (the model does not idle) and wait here;
 * they are as many as the job extracts while the replay lasts.
 */
final class AwaitingRegistry {
  static final ListStateDescriptor<ExtractedDocument> STATE =
      new ListStateDescriptor<>("awaiting-registry", TypeInformation.of(ExtractedDocument.class));

  /** Whether the registry had replayed the control topic, one value per instance (union). */
  private static final ListStateDescriptor<Boolean> REPLAYED =
      new ListStateDescriptor<>("registry-replayed", Types.BOOLEAN);

  /** How often a shard with waiting documents looks whether the replay is over. */
  static final long CHECK_MILLIS = 200;

  private final ListState<ExtractedDocument> waiting;
  private final ListState<Boolean> replayedState;
  private final Set<Integer> shardsWaiting = new HashSet<>();
  private boolean replayed;
  private long count;

  /**
   * @param awaitReplay a job started without state whose control topic held commands
   */
  AwaitingRegistry(FunctionInitializationContext context, boolean awaitReplay) throws Exception {
    waiting = context.getKeyedStateStore().getListState(STATE);
    replayedState = context.getOperatorStateStore().getUnionListState(REPLAYED);
    List<Boolean> restored = new ArrayList<>();
    replayedState.get().forEach(restored::add);
    // a savepoint of a build without this state: that job had replayed long ago
    replayed = context.isRestored() ? restored.isEmpty() || restored.contains(true) : !awaitReplay;
  }

  /** Whether the registry has applied every command the control topic held at the start. */
  boolean replayed() {
    return replayed;
  }

  /** The registry's end of replay: the shards' timers release what waited. */
  void endOfReplay() {
    replayed = true;
  }

  void snapshot() throws Exception {
    replayedState.update(List.of(replayed));
  }

  /** Holds a document of the current shard. */
  void hold(int shard, ExtractedDocument doc) throws Exception {
    waiting.add(doc);
    shardsWaiting.add(shard);
    count++;
  }

  /** Whether this shard holds documents (after a restore, its restored timers release them). */
  boolean mayHold(int shard) {
    return shardsWaiting.contains(shard);
  }

  /** Takes the current shard's documents, in the order they came (a read when there are none). */
  List<ExtractedDocument> release(int shard) throws Exception {
    List<ExtractedDocument> out = new ArrayList<>();
    for (ExtractedDocument doc : waiting.get()) {
      out.add(doc);
    }
    if (!out.isEmpty()) {
      waiting.clear();
    }
    if (shardsWaiting.remove(shard)) {
      count -= out.size();
    }
    return out;
  }

  /** Documents waiting on this instance (since it started). */
  long count() {
    return Math.max(0, count);
  }

  /** The next time a shard with waiting documents looks again. */
  static long nextCheck(long now) {
    return (now / CHECK_MILLIS + 1) * CHECK_MILLIS;
  }
}
