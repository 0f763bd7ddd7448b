package io.nagselector.control;

import io.nagselector.avro.CommandStatus;
import io.nagselector.avro.ControlEvent;
import java.time.Instant;

/**
 * The control event that says a job started without state has applied every command its control
 * topic held at the start. It answers no command: its {@code command_type} is {@code REPLAYED},
 * which no command has. The crawl source reads no document before it is committed.
 */
public final class ReplayAnnouncement {
  public static final String COMMAND_TYPE = "REPLAYED";

  private ReplayAnnouncement() {}

  public static ControlEvent event(Instant now) {
    return ControlEvent.newBuilder()
        .setCommandId("")
        .setTarget("")
        .setCommandType(COMMAND_TYPE)
        .setStatus(CommandStatus.APPLIED)
        .setMessage(
            "every command the control topic held when the job started without state is applied:"
                + " crawl documents are read from now on")
        .setTime(now)
        .build();
  }

  public static boolean is(ControlEvent event) {
    return COMMAND_TYPE.equals(event.getCommandType());
  }
}
