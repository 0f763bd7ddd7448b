package io.nagselector.pipeline;

import io.nagselector.avro.TargetCommand;

/** A decoded control command with the record it came from (for dead letters). */
public record ControlCommand(TargetCommand command, RawRecord raw) {}
