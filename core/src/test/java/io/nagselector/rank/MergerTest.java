package io.nagselector.rank;

import static io.nagselector.rank.PoolFiles.payload;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MergerTest {
  @TempDir Path dir;

  @BeforeEach
  void writeSelections() throws IOException {
    PoolFiles.writeJsonl(
        dir.resolve("science.jsonl"), List.of(payload("a", 1L, "s"), payload("b", 2L, "s")));
    PoolFiles.writeJsonl(
        dir.resolve("cooking.jsonl"), List.of(payload("c", 3L, "c"), payload("a", 4L, "c")));
  }

  private List<String> ids(Path file) {
    List<String> ids = new ArrayList<>();
    for (Map<String, Object> row : PoolFiles.readRows(file)) {
      ids.add(row.get("docid") + "/" + row.get("token_num"));
    }
    return ids;
  }

  private List<String> inputs() {
    return List.of(
        dir.resolve("science.jsonl").toString(), dir.resolve("cooking.jsonl").toString());
  }

  @Test
  void concatenatesInOrderKeepingDuplicates() throws IOException {
    Merger.Result result =
        Merger.merge(inputs(), dir.resolve("all.jsonl"), "docid", false, n -> {});
    assertThat(ids(dir.resolve("all.jsonl"))).containsExactly("a/1", "b/2", "c/3", "a/4");
    assertThat(result.written()).isEqualTo(4);
  }

  @Test
  void dedupeKeepsTheFirstOccurrence() throws IOException {
    Merger.Result result = Merger.merge(inputs(), dir.resolve("all.jsonl"), "docid", true, n -> {});
    assertThat(ids(dir.resolve("all.jsonl"))).containsExactly("a/1", "b/2", "c/3");
    assertThat(result.duplicatesDropped()).isEqualTo(1);
  }

  @Test
  void writesParquetFromMixedInputs() throws IOException {
    PoolFiles.writePandasParquet(
        dir.resolve("science.parquet"), PoolFiles.readRows(dir.resolve("science.jsonl")));
    Merger.Result result =
        Merger.merge(
            List.of(
                dir.resolve("science.parquet").toString(), dir.resolve("cooking.jsonl").toString()),
            dir.resolve("all.parquet"),
            "docid",
            true,
            n -> {});
    assertThat(ids(dir.resolve("all.parquet"))).containsExactly("a/1", "b/2", "c/3");
    assertThat(result.duplicatesDropped()).isEqualTo(1);
  }

  @Test
  void rejectsUnknownOutputType() {
    assertThatThrownBy(
            () -> Merger.merge(inputs(), dir.resolve("all.csv"), "docid", false, n -> {}))
        .hasMessage(
            dir.resolve("all.csv") + ": unknown file type (expected .parquet, .jsonl or .json)");
  }
}
