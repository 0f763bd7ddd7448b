package io.nagselector.ingest.gate;

import org.apache.flink.api.connector.source.SourceEvent;

/** From the enumerator to every reader: the control topic's replay is applied, read on. */
public final class GateOpened implements SourceEvent {
  private static final long serialVersionUID = 1L;
}
