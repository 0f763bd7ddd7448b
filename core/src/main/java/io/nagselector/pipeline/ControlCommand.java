package io.nagselector.pipeline;

import io.nagselector.avro.TargetCommand;

/**
 * A decoded control command with the record it came from (for dead letters), or the mark that
 * follows the last record the control topic held when the job started without state ({@code
 * endOfReplay}: no command, no record).
 */
public record ControlCommand(TargetCommand command, RawRecord raw, boolean endOfReplay) {

  public ControlCommand(TargetCommand command, RawRecord raw) {
    this(command, raw, false);
  }

  public static ControlCommand replayed() {
    return new ControlCommand(null, null, true);
  }
}
