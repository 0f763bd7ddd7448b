package io.nagselector.pipeline;

import java.io.Serializable;

/**
 * Holds the target registry's state type under the name savepoints know it by; what a command does
 * to it is {@code control.TargetRules}.
 */
public final class TargetProtocol {
  private TargetProtocol() {}

  /**
   * One name's state: its current definition (null when it does not exist) and the last version it
   * had. The registry's keyed state, stored by Flink's record serializer: a field may be added,
   * none renamed or retyped.
   */
  public record State(TargetDefinition current, int lastVersion) implements Serializable {
    public static final State NONE = new State(null, 0);
  }
}
