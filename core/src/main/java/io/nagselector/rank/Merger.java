package io.nagselector.rank;

import io.nagselector.io.BadRows;
import io.nagselector.io.DataFormat;
import io.nagselector.io.DocIdValue;
import io.nagselector.io.InputPaths;
import io.nagselector.io.RowCopier;
import io.nagselector.io.UserInputException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.LongConsumer;

/**
 * Concatenates per-target selections in the given order (the paper's multi-target rule), keeping
 * duplicates unless asked to dedupe, in which case the first row of each doc id wins.
 */
public final class Merger {
  /** Rows written, and how many duplicates were dropped. */
  public record Result(long written, long duplicatesDropped) {}

  private Merger() {}

  public static Result merge(
      List<String> inputs, Path output, String idColumn, boolean dedupe, LongConsumer progress)
      throws IOException {
    DataFormat.of(output);
    List<Path> files = new ArrayList<>();
    for (String input : inputs) {
      files.addAll(InputPaths.expand(input, "--inputs"));
    }
    long[] dropped = new long[1];
    long written =
        RowCopier.copy(
            files,
            output,
            () -> {
              Set<String> seen = new HashSet<>();
              dropped[0] = 0;
              return (row, where, bad) -> {
                if (!dedupe) {
                  return row;
                }
                DocIdValue id = DocIdValue.of(row.get(idColumn));
                if (id == null) {
                  throw new UserInputException(
                      where + ": no usable '" + idColumn + "' to dedupe on");
                }
                if (seen.add(id.text())) {
                  return row;
                }
                dropped[0]++;
                return null;
              };
            },
            BadRows.failing(),
            progress);
    return new Result(written, dropped[0]);
  }
}
