package io.nagselector.dataset;

import io.nagselector.avro.SelectedDocument;
import io.nagselector.io.UserInputException;
import java.io.Serializable;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Where a selected document's row goes: {@code field=value} folders for the configured fields, in
 * order; by default {@code target=NAME/version=N/date=YYYY-MM-DD}. Dates and hours are those of the
 * selection, in UTC. Target names cannot hold path characters (the registry refuses them).
 */
public final class PartitionPath implements Serializable {
  private static final long serialVersionUID = 1L;

  /** A folder level of the layout. */
  public enum Field {
    TARGET,
    VERSION,
    DATE,
    HOUR;

    String value(String target, int version, ZonedDateTime at) {
      return switch (this) {
        case TARGET -> target;
        case VERSION -> Integer.toString(version);
        case DATE -> at.toLocalDate().toString();
        case HOUR -> String.format(Locale.ROOT, "%02d", at.getHour());
      };
    }

    String folder() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  public static final PartitionPath DEFAULT =
      new PartitionPath(List.of(Field.TARGET, Field.VERSION, Field.DATE));

  private final List<Field> fields;

  private PartitionPath(List<Field> fields) {
    this.fields = List.copyOf(fields);
  }

  /**
   * The layout from a comma-separated list of fields (target, version, date, hour); {@code setting}
   * names the setting in errors.
   */
  public static PartitionPath parse(String spec, String setting) {
    List<Field> fields = new ArrayList<>();
    for (String part : spec.split(",", -1)) {
      String name = part.trim().toLowerCase(Locale.ROOT);
      Field field;
      try {
        field = Field.valueOf(name.toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new UserInputException(
            setting
                + ": '"
                + part.trim()
                + "' is not a partition field (target, version, date, hour), in '"
                + spec
                + "'");
      }
      if (fields.contains(field)) {
        throw new UserInputException(setting + ": '" + name + "' twice in '" + spec + "'");
      }
      fields.add(field);
    }
    return new PartitionPath(fields);
  }

  public String of(SelectedDocument d) {
    return of(d.getTarget(), d.getTargetVersion(), d.getSelectedAt());
  }

  public String of(String target, int version, Instant selectedAt) {
    ZonedDateTime at = selectedAt.atZone(ZoneOffset.UTC);
    List<String> folders = new ArrayList<>();
    for (Field f : fields) {
      folders.add(f.folder() + "=" + f.value(target, version, at));
    }
    return String.join("/", folders);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof PartitionPath p && p.fields.equals(fields);
  }

  @Override
  public int hashCode() {
    return fields.hashCode();
  }

  @Override
  public String toString() {
    return String.join(",", fields.stream().map(Field::folder).toList());
  }
}
