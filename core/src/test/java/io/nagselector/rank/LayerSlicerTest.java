package io.nagselector.rank;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nagselector.io.BadRows;
import io.nagselector.io.FeatureFiles;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LayerSlicerTest {
  @TempDir Path dir;

  @Test
  void keepsTheChosenLayersAndOtherColumns() throws IOException {
    PoolFiles.writeLines(
        dir.resolve("f.jsonl"),
        List.of(
            PoolFiles.featureLine("d1", 1, 2, 3, 4, 5, 6),
            PoolFiles.featureLine("d2", 7, 8, 9, 10, 11, 12)));
    for (String out : List.of("s.jsonl", "s.parquet")) {
      long rows =
          LayerSlicer.slice(
              dir.resolve("f.jsonl").toString(),
              dir.resolve(out),
              "fwd_up_feature",
              3,
              2,
              "0,2",
              BadRows.failing(),
              n -> {});
      assertThat(rows).isEqualTo(2);
      List<Map<String, Object>> sliced = PoolFiles.readRows(dir.resolve(out));
      assertThat(sliced.get(1).get("docid")).isEqualTo("d2");
      Map<?, ?> feature = (Map<?, ?>) sliced.get(1).get("fwd_up_feature");
      assertThat(toLongs(feature.get("layer_topk_value_index"))).containsExactly(7L, 8L, 11L, 12L);
    }
  }

  @Test
  void slicedFeaturesRankWithTheSmallerLayerCount() throws IOException {
    PoolFiles.writeLines(
        dir.resolve("f.jsonl"), List.of(PoolFiles.featureLine("d1", 1, 2, 3, 4, 5, 6)));
    LayerSlicer.slice(
        dir.resolve("f.jsonl").toString(),
        dir.resolve("s.jsonl"),
        "fwd_up_feature",
        3,
        2,
        "last",
        BadRows.failing(),
        n -> {});
    FeatureFiles reader = new FeatureFiles("docid", "fwd_up_feature", BadRows.failing());
    int[][] read = new int[1][];
    reader.read(List.of(dir.resolve("s.jsonl")), row -> read[0] = row.indices(), n -> {});
    assertThat(read[0]).containsExactly(5, 6);
  }

  @Test
  void rejectsAFeatureOfTheWrongLength() throws IOException {
    PoolFiles.writeLines(dir.resolve("f.jsonl"), List.of(PoolFiles.featureLine("d1", 1, 2, 3)));
    assertThatThrownBy(
            () ->
                LayerSlicer.slice(
                    dir.resolve("f.jsonl").toString(),
                    dir.resolve("s.jsonl"),
                    "fwd_up_feature",
                    3,
                    2,
                    "last",
                    BadRows.failing(),
                    n -> {}))
        .hasMessage(
            dir.resolve("f.jsonl")
                + ":1 (doc d1): expected a feature of length 6 in column 'fwd_up_feature', got 3");
  }

  private static List<Long> toLongs(Object list) {
    return ((List<?>) list).stream().map(v -> ((Number) v).longValue()).toList();
  }
}
