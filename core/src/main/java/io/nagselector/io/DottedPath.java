package io.nagselector.io;

import java.util.Map;

/** Reads a column by a dotted path such as {@code meta.docid} (the reference's "final" format). */
public final class DottedPath {
  private DottedPath() {}

  public static Object get(Map<String, Object> row, String path) {
    if (row.containsKey(path)) {
      return row.get(path);
    }
    Object current = row;
    for (String part : path.split("\\.")) {
      if (!(current instanceof Map<?, ?> map)) {
        return null;
      }
      current = map.get(part);
    }
    return current;
  }
}
