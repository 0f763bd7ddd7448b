package io.nagselector.control;

import io.nagselector.avro.DeadLetterReason;
import io.nagselector.avro.TargetCommand;
import io.nagselector.ingest.DeadLetters;
import io.nagselector.io.RecordFormat;
import io.nagselector.pipeline.ControlCommand;
import io.nagselector.pipeline.RawRecord;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Control-topic bytes to {@link TargetCommand}; undecodable commands are dead-lettered. When the
 * job starts without state, it follows the replay of the records the topic held ({@link
 * ReplayProgress}), and after the last of them, decodable or not, sends {@link
 * ControlCommand#replayed()} down the control path.
 */
public final class DecodeCommand extends ProcessFunction<RawRecord, ControlCommand>
    implements CheckpointedFunction {
  private static final ListStateDescriptor<Integer> REPLAYED =
      new ListStateDescriptor<>("replayed-partitions", Types.INT);
  private static final ListStateDescriptor<Boolean> ANNOUNCED =
      new ListStateDescriptor<>("replay-announced", Types.BOOLEAN);

  private final int maxBytes;
  private final RecordFormat format;
  private final ReplayProgress progress;
  private transient ListState<Integer> replayedState;
  private transient ListState<Boolean> announcedState;
  private transient boolean announced;

  /**
   * Records over {@code maxBytes} are dead-lettered without being decoded; {@code lastOffsets} are
   * the control topic's last record per partition when the job was built ({@link ControlTopicEnd}).
   */
  public DecodeCommand(int maxBytes, Map<Integer, Long> lastOffsets, RecordFormat format) {
    this.maxBytes = maxBytes;
    this.format = format;
    this.progress = new ReplayProgress(lastOffsets);
  }

  /** Without a replay to follow (tests). */
  public DecodeCommand(int maxBytes) {
    this(maxBytes, Map.of(), RecordFormat.AVRO);
  }

  @Override
  public void initializeState(FunctionInitializationContext context) throws Exception {
    replayedState = context.getOperatorStateStore().getListState(REPLAYED);
    announcedState = context.getOperatorStateStore().getListState(ANNOUNCED);
    progress.restore(replayedState.get());
    Boolean restored = null;
    for (Boolean a : announcedState.get()) {
      restored = a;
    }
    // restored from a build without this state: that job had replayed its control topic long ago
    boolean olderBuild = context.isRestored() && restored == null;
    announced = progress.empty() || olderBuild || Boolean.TRUE.equals(restored);
  }

  @Override
  public void snapshotState(FunctionSnapshotContext context) throws Exception {
    replayedState.update(List.copyOf(progress.replayed()));
    announcedState.update(List.of(announced));
  }

  @Override
  public void processElement(RawRecord raw, Context ctx, Collector<ControlCommand> out) {
    decode(raw, ctx, out);
    if (!announced && progress.read(raw.partition(), raw.offset())) {
      announced = true;
      out.collect(ControlCommand.replayed());
    }
  }

  private void decode(RawRecord raw, Context ctx, Collector<ControlCommand> out) {
    if (raw.value() != null && raw.value().length > maxBytes) {
      ctx.output(
          DeadLetters.TAG,
          DeadLetters.of(
              DeadLetterReason.INVALID_COMMAND,
              "a control record of "
                  + raw.value().length
                  + " bytes, more than targets.max-command-bytes "
                  + maxBytes,
              null,
              raw.withoutValue(),
              Instant.ofEpochMilli(ctx.timerService().currentProcessingTime())));
      return;
    }
    try {
      out.collect(new ControlCommand(format.decodeStrictly(raw.value(), TargetCommand.class), raw));
    } catch (Exception e) {
      ctx.output(
          DeadLetters.TAG,
          DeadLetters.of(
              DeadLetterReason.DECODE_ERROR,
              "not a TargetCommand in "
                  + (format == RecordFormat.JSON ? "JSON" : "Avro single-object encoding")
                  + ": "
                  + e.getClass().getSimpleName()
                  + ": "
                  + e.getMessage(),
              null,
              raw,
              Instant.ofEpochMilli(ctx.timerService().currentProcessingTime())));
    }
  }
}
