package io.nagselector.control;

import org.apache.flink.api.common.functions.RuntimeContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;

/**
 * The registry's memory of command ids, bounded to the last {@code max} commands in the control
 * topic's order: an id is numbered when first seen, and the id numbered {@code max} before the
 * newest is forgotten. Counting commands rather than time, a replay of the control topic from the
 * beginning recognises exactly the redeliveries the first run did.
 */
final class CommandIds {
  private final int max;
  private final MapState<String, Long> numbers;
  private final MapState<Long, String> byNumber;
  private final ValueState<Long> next;

  CommandIds(RuntimeContext runtime, int max) {
    this.max = max;
    numbers =
        runtime.getMapState(new MapStateDescriptor<>("command-ids", Types.STRING, Types.LONG));
    byNumber =
        runtime.getMapState(new MapStateDescriptor<>("command-order", Types.LONG, Types.STRING));
    next = runtime.getState(new ValueStateDescriptor<>("command-next", Types.LONG));
  }

  /** Remembers {@code id}; false when it is among the last {@code max} ids, a redelivery. */
  boolean remember(String id) throws Exception {
    if (numbers.contains(id)) {
      return false;
    }
    long n = next.value() == null ? 0 : next.value();
    numbers.put(id, n);
    byNumber.put(n, id);
    next.update(n + 1);
    String forgotten = byNumber.get(n - max);
    if (forgotten != null) {
      byNumber.remove(n - max);
      numbers.remove(forgotten);
    }
    return true;
  }
}
