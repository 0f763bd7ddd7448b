package io.nagselector.rank;

import io.nagselector.io.BadRowReason;
import io.nagselector.io.BadRows;
import io.nagselector.io.DataFormat;
import io.nagselector.io.FeatureFiles;
import io.nagselector.io.InputPaths;
import io.nagselector.io.RowCopier;
import io.nagselector.nag.LayerSelection;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongConsumer;

/** Keeps a subset of layers of every feature in a file (the reference's slice_layers.py). */
public final class LayerSlicer {
  private LayerSlicer() {}

  /** Returns the number of rows written. */
  public static long slice(
      String input,
      Path output,
      String featureColumn,
      int numLayers,
      int topK,
      String layerSpec,
      BadRows bad,
      LongConsumer progress)
      throws IOException {
    DataFormat.of(output);
    LayerSelection layers = LayerSelection.parse(layerSpec, numLayers);
    return RowCopier.copy(
        InputPaths.expand(input, "--input"),
        output,
        () ->
            (row, where, rowBad) -> {
              Object feature = row.get(featureColumn);
              boolean wrapped = feature instanceof Map<?, ?>;
              Object list = wrapped ? ((Map<?, ?>) feature).get(FeatureFiles.INDEX_FIELD) : feature;
              int[] indices = toInts(list);
              if (indices == null || indices.length != numLayers * topK) {
                rowBad.reject(
                    where,
                    String.valueOf(row.get("docid")),
                    BadRowReason.INVALID_FEATURE,
                    "expected a feature of length "
                        + numLayers * topK
                        + " in column '"
                        + featureColumn
                        + "', got "
                        + (indices == null ? "none" : indices.length),
                    null);
                return null;
              }
              List<Long> kept = new ArrayList<>();
              for (int v : layers.apply(indices, numLayers, topK)) {
                kept.add((long) v);
              }
              Map<String, Object> out = new LinkedHashMap<>(row);
              out.put(featureColumn, Map.of(FeatureFiles.INDEX_FIELD, kept));
              return out;
            },
        bad,
        progress);
  }

  private static int[] toInts(Object value) {
    if (!(value instanceof List<?> list)) {
      return null;
    }
    int[] out = new int[list.size()];
    for (int i = 0; i < out.length; i++) {
      if (!(list.get(i) instanceof Number n)) {
        return null;
      }
      out[i] = n.intValue();
    }
    return out;
  }
}
