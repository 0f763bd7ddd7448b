package io.nagselector.rank;

import static io.nagselector.rank.PoolFiles.featureLine;
import static io.nagselector.rank.PoolFiles.payload;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nagselector.io.BadRowReason;
import io.nagselector.io.UserInputException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each kind of bad input: a one-line error naming file, line and doc id, or skipped with
 * --skip-bad.
 */
class PoolRankerBadInputTest {
  @TempDir Path dir;

  @BeforeEach
  void writeTarget() throws IOException {
    PoolFiles.writeLines(dir.resolve("target.jsonl"), List.of(featureLine("t1", 0, 1, 2, 3)));
    PoolFiles.writeJsonl(
        dir.resolve("payload.jsonl"),
        List.of(payload("d1", 10L, "w"), payload("d2", 10L, "w"), payload("d3", 10L, "w")));
  }

  private void pool(String... lines) throws IOException {
    PoolFiles.writeLines(dir.resolve("pool.jsonl"), List.of(lines));
  }

  private RankReport rank(RankerFixture fixture) throws IOException {
    return fixture.run("target.jsonl", "pool.jsonl", "payload.jsonl");
  }

  private RankerFixture ranker() {
    return RankerFixture.in(dir, 2, 2).fraction(1.0);
  }

  private String poolFile() {
    return dir.resolve("pool.jsonl").toString();
  }

  @Test
  void featureOfWrongLength() throws IOException {
    pool(featureLine("d1", 0, 1, 2, 3), featureLine("d2", 0, 1, 2));
    assertThatThrownBy(() -> rank(ranker()))
        .isInstanceOf(UserInputException.class)
        .hasMessage(
            poolFile()
                + ":2 (doc d2): feature of doc d2: wrong length: expected L*K = 2*2 = 4 indices,"
                + " got 3");
  }

  @Test
  void malformedJsonOnLineN() throws IOException {
    pool(featureLine("d1", 0, 1, 2, 3), "{\"docid\": \"d2\", \"fwd_up_feature\": [0, 1,");
    assertThatThrownBy(() -> rank(ranker()))
        .hasMessageStartingWith(poolFile() + ":2: malformed JSON: ");
  }

  @Test
  void duplicatedDocIdNamesBothPlaces() throws IOException {
    pool(
        featureLine("d1", 0, 1, 2, 3),
        featureLine("d2", 0, 1, 2, 3),
        featureLine("d1", 4, 5, 6, 7));
    assertThatThrownBy(() -> rank(ranker()))
        .hasMessage(
            poolFile()
                + ":3 (doc d1): doc id d1 appears more than once in the pool features (first at "
                + poolFile()
                + ":1)");
  }

  @Test
  void missingColumns() throws IOException {
    pool(featureLine("d1", 0, 1, 2, 3), "{\"docid\": \"d2\"}");
    assertThatThrownBy(() -> rank(ranker()))
        .hasMessage(poolFile() + ":2 (doc d2): missing column 'fwd_up_feature'");
    pool("{\"fwd_up_feature\": [0, 1, 2, 3]}");
    assertThatThrownBy(() -> rank(ranker())).hasMessage(poolFile() + ":1: missing column 'docid'");
  }

  @Test
  void payloadWithoutTheTokenColumn() throws IOException {
    pool(featureLine("d1", 0, 1, 2, 3));
    Files.writeString(dir.resolve("payload.jsonl"), "{\"docid\": \"d1\", \"doc\": \"x\"}\n");
    assertThatThrownBy(() -> rank(ranker()))
        .hasMessage("pool payload is missing token column 'token_num' (see --token-col)");
  }

  @Test
  void badTokenCount() throws IOException {
    pool(featureLine("d1", 0, 1, 2, 3));
    Files.writeString(dir.resolve("payload.jsonl"), "{\"docid\": \"d1\", \"token_num\": -4}\n");
    assertThatThrownBy(() -> rank(ranker()))
        .hasMessage(
            dir.resolve("payload.jsonl")
                + ":1 (doc d1): column 'token_num': token count -4 is negative");
  }

  @Test
  void parquetFileThatIsNotParquet() throws IOException {
    pool(featureLine("d1", 0, 1, 2, 3));
    Files.writeString(dir.resolve("payload.parquet"), "docid,token_num\nd1,3\n");
    assertThatThrownBy(() -> ranker().run("target.jsonl", "pool.jsonl", "payload.parquet"))
        .isInstanceOf(UserInputException.class)
        .hasMessageStartingWith(dir.resolve("payload.parquet") + ": not a readable Parquet file (");
  }

  @Test
  void noMatchingFiles() {
    assertThatThrownBy(() -> ranker().run("target.jsonl", "nothing-*.jsonl", "payload.jsonl"))
        .hasMessage("--pool-features: no files match '" + dir.resolve("nothing-*.jsonl") + "'");
  }

  @Test
  void skipBadCountsAndWritesEveryRejectedRowWithItsReason() throws IOException {
    pool(
        featureLine("d1", 0, 1, 2, 3),
        "not json",
        featureLine("d2", 0, 1, 2),
        featureLine("d3", 0, 0, 2, 3),
        featureLine("d1", 0, 1, 2, 3),
        "{\"docid\": 1.5, \"fwd_up_feature\": [0, 1, 2, 3]}",
        featureLine("d2", 1, 0, 3, 2));
    RankerFixture fixture = ranker().skipBad();
    RankReport report = rank(fixture);
    assertThat(report.badRowCount()).isEqualTo(5);
    assertThat(report.badRows())
        .containsEntry(BadRowReason.MALFORMED_JSON, 1L)
        .containsEntry(BadRowReason.INVALID_FEATURE, 2L)
        .containsEntry(BadRowReason.DUPLICATE_DOC_ID, 1L)
        .containsEntry(BadRowReason.BAD_DOC_ID, 1L);
    assertThat(report.selected()).isEqualTo(2);
    List<Map<String, Object>> rejected = PoolFiles.readRows(report.rejectedFile());
    List<Object> reasons = new ArrayList<>();
    rejected.forEach(r -> reasons.add(r.get("line") + " " + r.get("reason")));
    assertThat(reasons)
        .containsExactly(
            "2 MALFORMED_JSON",
            "3 INVALID_FEATURE",
            "4 INVALID_FEATURE",
            "6 BAD_DOC_ID",
            "5 DUPLICATE_DOC_ID");
    assertThat(rejected.get(2).get("message"))
        .isEqualTo("feature of doc d3: neuron index 0 appears twice at layer 0");
    assertThat(report.rejectedFile()).isEqualTo(Path.of(fixture.outputPath() + ".rejected.jsonl"));
  }
}
