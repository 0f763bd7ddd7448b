package io.nagselector.control;

import io.nagselector.avro.DeadLetterReason;
import io.nagselector.avro.TargetCommand;
import io.nagselector.pipeline.ControlCommand;
import io.nagselector.pipeline.DeadLetters;
import io.nagselector.pipeline.RawRecord;
import java.time.Instant;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

/** Control-topic bytes to {@link TargetCommand}; undecodable commands are dead-lettered. */
public final class DecodeCommand extends ProcessFunction<RawRecord, ControlCommand> {
  private final int maxBytes;

  /** Records over {@code maxBytes} are dead-lettered without being decoded. */
  public DecodeCommand(int maxBytes) {
    this.maxBytes = maxBytes;
  }

  @Override
  public void processElement(RawRecord raw, Context ctx, Collector<ControlCommand> out) {
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
      out.collect(new ControlCommand(TargetCommand.getDecoder().decode(raw.value()), raw));
    } catch (Exception e) {
      ctx.output(
          DeadLetters.TAG,
          DeadLetters.of(
              DeadLetterReason.DECODE_ERROR,
              "not a TargetCommand in Avro single-object encoding: "
                  + e.getClass().getSimpleName()
                  + ": "
                  + e.getMessage(),
              null,
              raw,
              Instant.ofEpochMilli(ctx.timerService().currentProcessingTime())));
    }
  }
}
