package io.nagselector.select;

import java.util.List;
import org.apache.flink.api.common.state.State;
import org.apache.flink.api.common.state.StateDescriptor;
import org.apache.flink.streaming.api.functions.co.KeyedBroadcastProcessFunction;

/** Drops a removed target's keyed state, in an operator keyed by target name. */
final class RemovedTarget {
  private RemovedTarget() {}

  static void clear(
      KeyedBroadcastProcessFunction<String, ?, ?, ?>.Context ctx,
      String name,
      List<StateDescriptor<? extends State, ?>> descriptors)
      throws Exception {
    for (StateDescriptor<? extends State, ?> d : descriptors) {
      clearKey(ctx, d, name);
    }
  }

  private static <S extends State> void clearKey(
      KeyedBroadcastProcessFunction<String, ?, ?, ?>.Context ctx,
      StateDescriptor<S, ?> descriptor,
      String name)
      throws Exception {
    ctx.applyToKeyedState(
        descriptor,
        (key, state) -> {
          if (key.equals(name)) {
            state.clear();
          }
        });
  }
}
