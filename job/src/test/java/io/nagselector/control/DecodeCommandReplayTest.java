package io.nagselector.control;

import static org.assertj.core.api.Assertions.assertThat;

import io.nagselector.avro.CommandType;
import io.nagselector.avro.TargetCommand;
import io.nagselector.io.RecordFormat;
import io.nagselector.pipeline.ControlCommand;
import io.nagselector.pipeline.RawRecord;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.ProcessOperator;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/**
 * The control path's decoder follows the replay of what the control topic held when the job was
 * built, malformed records included, across a checkpoint, and marks its end once.
 */
class DecodeCommandReplayTest {
  private static RawRecord command(int partition, long offset) throws Exception {
    ByteBuffer b =
        TargetCommand.getEncoder()
            .encode(
                TargetCommand.newBuilder()
                    .setCommandId("c" + partition + "-" + offset)
                    .setType(CommandType.REMOVE)
                    .setTarget("t" + offset)
                    .build());
    byte[] bytes = new byte[b.remaining()];
    b.get(bytes);
    return new RawRecord("control", partition, offset, bytes);
  }

  private static RawRecord garbage(int partition, long offset) {
    return new RawRecord("control", partition, offset, new byte[] {9, 9, 9});
  }

  private static OneInputStreamOperatorTestHarness<RawRecord, ControlCommand> harness(
      Map<Integer, Long> lastOffsets) throws Exception {
    return new OneInputStreamOperatorTestHarness<>(
        new ProcessOperator<>(new DecodeCommand(1 << 20, lastOffsets, RecordFormat.AVRO)));
  }

  private static List<String> out(OneInputStreamOperatorTestHarness<RawRecord, ControlCommand> h) {
    return h.extractOutputValues().stream()
        .map(c -> c.endOfReplay() ? "REPLAYED" : c.command().getTarget().toString())
        .toList();
  }

  @Test
  void marksTheEndAfterTheLastRecordOfEveryPartitionMalformedOrNot() throws Exception {
    // partition 0 held offsets 0..2 (the last malformed), partition 1 offset 0; partition 2 none
    try (var h = harness(Map.of(0, 2L, 1, 0L))) {
      h.open();
      h.processElement(command(0, 0), 0);
      h.processElement(command(0, 1), 0);
      h.processElement(garbage(0, 2), 0);
      assertThat(out(h)).containsExactly("t0", "t1");
      h.processElement(command(1, 0), 0);
      assertThat(out(h)).containsExactly("t0", "t1", "t0", "REPLAYED");
      h.processElement(command(1, 1), 0); // a command sent after the job started
      assertThat(out(h)).containsExactly("t0", "t1", "t0", "REPLAYED", "t1");
    }
  }

  @Test
  void aCheckpointKeepsTheProgressAndTheMarkIsSentOnce() throws Exception {
    OperatorSubtaskState midReplay;
    try (var h = harness(Map.of(0, 1L, 1, 0L))) {
      h.open();
      h.processElement(command(1, 0), 0); // partition 1 is done
      midReplay = h.snapshot(1, 0);
    }
    OperatorSubtaskState afterReplay;
    try (var h = harness(Map.of(0, 1L, 1, 0L))) {
      h.initializeState(midReplay);
      h.open();
      h.processElement(command(0, 1), 0);
      assertThat(out(h)).containsExactly("t1", "REPLAYED");
      afterReplay = h.snapshot(2, 0);
    }
    try (var h = harness(Map.of(0, 1L, 1, 0L))) {
      h.initializeState(afterReplay);
      h.open();
      h.processElement(command(0, 2), 0);
      assertThat(out(h)).containsExactly("t2");
    }
  }

  @Test
  void anEmptyTopicHasNothingToWaitFor() throws Exception {
    try (var h = harness(Map.of())) {
      h.open();
      h.processElement(command(0, 0), 0);
      assertThat(out(h)).containsExactly("t0");
    }
  }
}
