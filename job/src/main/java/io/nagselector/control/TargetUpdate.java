package io.nagselector.control;

import io.nagselector.pipeline.TargetDefinition;
import org.apache.flink.api.common.typeinfo.TypeInformation;

/**
 * What the registry broadcasts to the scoring operators after it applied a command: a target's new
 * definition, a target's removal, or the mark that a start without state has replayed its control
 * topic. Flink carries it with {@link TargetUpdateSerializer} ({@link #TYPE}); it is never stored.
 */
public sealed interface TargetUpdate {
  TypeInformation<TargetUpdate> TYPE = new TargetUpdateType();

  /** The definition a target now has (added, changed, paused or resumed). */
  record Upsert(TargetDefinition target) implements TargetUpdate {}

  /** A target removed at {@code version}: its state goes. */
  record Removal(String name, int version) implements TargetUpdate {}

  /** Every command the control topic held when the job started without state is applied. */
  record EndOfReplay() implements TargetUpdate {}

  /** The target's name, or "" for the end of a replay. */
  default String name() {
    if (this instanceof Upsert u) {
      return u.target().name();
    }
    return this instanceof Removal r ? r.name() : "";
  }
}
