package io.nagselector.select;

import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.streaming.api.TimerService;

/**
 * A key's periodic publication: one processing-time timer at a time, its due time in keyed state,
 * so that an operator whose key also has timers of other purposes knows this one when it fires.
 */
final class PublishTimer {
  private final ValueState<Long> due;
  private final long intervalMillis;

  PublishTimer(ValueState<Long> due, long intervalMillis) {
    this.due = due;
    this.intervalMillis = intervalMillis;
  }

  /** Schedules the key's next publication, unless one is already due. */
  void schedule(TimerService timers) throws Exception {
    if (due.value() == null) {
      long at = timers.currentProcessingTime() + intervalMillis;
      due.update(at);
      timers.registerProcessingTimeTimer(at);
    }
  }

  /** Whether the timer that fired at {@code timestamp} is the publication's; it is then spent. */
  boolean fired(long timestamp) throws Exception {
    Long at = due.value();
    if (at == null || timestamp < at) {
      return false;
    }
    due.clear();
    return true;
  }
}
