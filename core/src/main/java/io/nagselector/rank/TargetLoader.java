package io.nagselector.rank;

import io.nagselector.io.BadRowReason;
import io.nagselector.io.BadRows;
import io.nagselector.io.DocIdValue;
import io.nagselector.io.FeatureFiles;
import io.nagselector.io.InputPaths;
import io.nagselector.io.RowFiles;
import io.nagselector.io.UserInputException;
import io.nagselector.nag.LayerSelection;
import io.nagselector.nag.NagFeature;
import io.nagselector.nag.TargetProfile;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.LongConsumer;

/**
 * Builds the target profile from target feature files, optionally restricted to the rows of a
 * target payload whose filter column equals a value (the reference's {@code --target_filter}).
 */
final class TargetLoader {
  private TargetLoader() {}

  static TargetProfile load(
      RankOptions o, LayerSelection layers, BadRows bad, LongConsumer progress) {
    if (o.targetFilter() != null && o.targetPayload() == null) {
      throw new UserInputException(
          "--target-filter needs --target-payload: the column '"
              + o.targetFilterColumn()
              + "' is read from the target payload");
    }
    Set<String> allowed = o.targetPayload() == null ? null : allowedIds(o, bad, progress);
    int sliced = layers == null ? o.numLayers() : layers.size();
    TargetProfile.Builder builder =
        TargetProfile.builder(sliced, o.topK(), o.numNeurons()).power(o.power());
    Set<String> seen = new HashSet<>();
    long[] rows = new long[2];
    List<Path> files = InputPaths.expand(o.targetFeatures(), "--target-features");
    new FeatureFiles(o.idColumn(), o.featureColumn(), bad)
        .read(
            files,
            row -> {
              rows[0]++;
              if (allowed != null && !allowed.contains(row.docId())) {
                return;
              }
              if (!seen.add(row.docId())) {
                bad.reject(
                    row.where(),
                    row.docId(),
                    BadRowReason.DUPLICATE_DOC_ID,
                    "doc id " + row.docId() + " appears more than once in the target features",
                    null);
                return;
              }
              NagFeature feature = row.validated(o.numLayers(), o.topK(), o.numNeurons(), bad);
              if (feature == null) {
                return;
              }
              builder.add(layers == null ? feature : feature.slice(layers));
              rows[1]++;
            },
            progress);
    if (rows[1] == 0) {
      throw new UserInputException(
          "empty target set after filtering: "
              + rows[0]
              + " target feature rows"
              + (allowed == null
                  ? ""
                  : ", "
                      + allowed.size()
                      + " target payload rows"
                      + (o.targetFilter() == null
                          ? ""
                          : " with " + o.targetFilterColumn() + " = " + o.targetFilter()))
              + ", none usable");
    }
    return builder.build();
  }

  private static Set<String> allowedIds(RankOptions o, BadRows bad, LongConsumer progress) {
    Set<String> allowed = new HashSet<>();
    boolean[] filterColumnSeen = new boolean[1];
    RowFiles.read(
        InputPaths.expand(o.targetPayload(), "--target-payload"),
        (row, where) -> {
          DocIdValue id = DocIdValue.of(row.get(o.idColumn()));
          if (id == null) {
            bad.reject(
                where,
                null,
                row.containsKey(o.idColumn())
                    ? BadRowReason.BAD_DOC_ID
                    : BadRowReason.MISSING_COLUMN,
                "target payload row has no usable '" + o.idColumn() + "'",
                null);
            return;
          }
          if (o.targetFilter() != null) {
            Object value = row.get(o.targetFilterColumn());
            filterColumnSeen[0] |= row.containsKey(o.targetFilterColumn());
            if (value == null || !o.targetFilter().equals(value.toString())) {
              return;
            }
          }
          allowed.add(id.text());
        },
        bad,
        progress);
    if (o.targetFilter() != null && !filterColumnSeen[0]) {
      throw new UserInputException(
          "--target-filter-col: the target payload has no column '" + o.targetFilterColumn() + "'");
    }
    return allowed;
  }
}
