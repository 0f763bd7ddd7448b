package io.nagselector.control;

import java.io.Serializable;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * How far the replay of the control topic has come: it is complete once, for every partition that
 * held records when the job was built, the record at its last offset has been read.
 */
public final class ReplayProgress implements Serializable {
  private final Map<Integer, Long> lastOffsets;
  private final Set<Integer> replayed = new HashSet<>();

  public ReplayProgress(Map<Integer, Long> lastOffsets) {
    this.lastOffsets = new HashMap<>(lastOffsets);
  }

  /** Records that {@code offset} of {@code partition} was read; true if the replay is complete. */
  public boolean read(int partition, long offset) {
    Long last = lastOffsets.get(partition);
    if (last != null && offset >= last) {
      replayed.add(partition);
    }
    return complete();
  }

  public boolean complete() {
    return replayed.containsAll(lastOffsets.keySet());
  }

  /** The partitions replayed so far (for a checkpoint). */
  public Set<Integer> replayed() {
    return Set.copyOf(replayed);
  }

  /** Restores the partitions a checkpoint had replayed. */
  public void restore(Iterable<Integer> partitions) {
    partitions.forEach(replayed::add);
  }

  /** True when there was nothing to replay. */
  public boolean empty() {
    return lastOffsets.isEmpty();
  }
}
