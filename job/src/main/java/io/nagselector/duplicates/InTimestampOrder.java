package io.nagselector.duplicates;

import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.TimerService;

/**
 * A keyed operator's records held until the watermark passes their timestamp, so that each key sees
 * its records in timestamp order however they arrived: kept in keyed state by timestamp, with an
 * event-time timer at each. A record with no timestamp, or one the watermark has already passed (a
 * late one), cannot be put in order and is handled on arrival; the caller counts those.
 */
public final class InTimestampOrder<T> {
  private final MapState<Long, List<T>> waiting;

  public InTimestampOrder(MapState<Long, List<T>> waiting) {
    this.waiting = waiting;
  }

  /** The state that holds the records, by timestamp. */
  public static <T> MapStateDescriptor<Long, List<T>> descriptor(
      String name, TypeInformation<T> type) {
    return new MapStateDescriptor<>(name, Types.LONG, Types.LIST(type));
  }

  /** Whether a record of {@code timestamp} can still be put in order. */
  public static boolean inOrder(Long timestamp, TimerService timers) {
    return timestamp != null && timestamp > timers.currentWatermark();
  }

  /** Holds a record until the watermark passes {@code timestamp}. */
  public void hold(long timestamp, T record, TimerService timers) throws Exception {
    List<T> same = waiting.get(timestamp);
    if (same == null) {
      same = new ArrayList<>(1);
      timers.registerEventTimeTimer(timestamp);
    }
    same.add(record);
    waiting.put(timestamp, same);
  }

  /** The records of {@code timestamp}, in the order they came; they are no longer held. */
  public List<T> release(long timestamp) throws Exception {
    List<T> due = waiting.get(timestamp);
    if (due == null) {
      return List.of();
    }
    waiting.remove(timestamp);
    return due;
  }
}
