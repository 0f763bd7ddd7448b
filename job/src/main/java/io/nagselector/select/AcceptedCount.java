package io.nagselector.select;

import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;

/** How many documents {@link SettleFractions} accepted for a target's current version. */
final class AcceptedCount {
  static final ValueStateDescriptor<Long> DESCRIPTOR =
      new ValueStateDescriptor<>("accepted", Types.LONG);

  private final ValueState<Long> count;

  AcceptedCount(ValueState<Long> count) {
    this.count = count;
  }

  long get() throws Exception {
    Long n = count.value();
    return n == null ? 0 : n;
  }

  void add(int n) throws Exception {
    count.update(get() + n);
  }

  /** A new version counts from zero. */
  void reset() {
    count.clear();
  }
}
