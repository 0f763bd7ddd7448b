package io.nagselector.dataset;

import io.nagselector.avro.SelectedDocument;
import java.time.Instant;
import java.time.ZoneOffset;

/**
 * Where a selected document's row goes: {@code target=NAME/version=N/date=YYYY-MM-DD}, the date of
 * its selection in UTC. Target names cannot hold path characters (the registry refuses them).
 */
public final class PartitionPath {
  private PartitionPath() {}

  public static String of(SelectedDocument d) {
    return of(d.getTarget(), d.getTargetVersion(), d.getSelectedAt());
  }

  public static String of(String target, int version, Instant selectedAt) {
    return "target="
        + target
        + "/version="
        + version
        + "/date="
        + selectedAt.atOffset(ZoneOffset.UTC).toLocalDate();
  }
}
