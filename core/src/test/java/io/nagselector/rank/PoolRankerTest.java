package io.nagselector.rank;

import static io.nagselector.rank.PoolFiles.featureLine;
import static io.nagselector.rank.PoolFiles.payload;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hand-derived cases, L=2 K=2. Target examples t1=[0,1|2,3], t2=[0,2|2,4] give the profile layer 0
 * {0:.5, 1:.25, 2:.25}, layer 1 {2:.5, 3:.25, 4:.25}. Pool (distance, tokens): d1 [0,1|2,3] (.25,
 * 10), d2 [0,5|2,4] (.375, 20), d3 [7,8|9,6] (1, 30), d4 [1,2|3,4] (.5, missing = 0), d5 [0,2|3,2]
 * (.25, 5). Total 65 tokens.
 */
class PoolRankerTest {
  @TempDir Path dir;

  @BeforeEach
  void writePool() throws IOException {
    PoolFiles.writeLines(
        dir.resolve("target.jsonl"),
        List.of(featureLine("t1", 0, 1, 2, 3), featureLine("t2", 0, 2, 2, 4)));
    PoolFiles.writeJsonl(
        dir.resolve("target_payload.jsonl"),
        List.of(payload("t1", 4L, "sci"), payload("t2", 4L, "cook")));
    PoolFiles.writeLines(
        dir.resolve("pool.jsonl"),
        List.of(
            featureLine("d1", 0, 1, 2, 3),
            featureLine("d2", 0, 5, 2, 4),
            featureLine("d3", 7, 8, 9, 6),
            featureLine("d4", 1, 2, 3, 4),
            featureLine("d5", 0, 2, 3, 2)));
    List<Map<String, Object>> rows =
        List.of(
            payload("d1", 10L, "web"),
            payload("d2", 20L, "web"),
            payload("d3", 30L, "web"),
            payload("d4", null, "web"),
            payload("d5", 5L, "web"));
    double[] quality = {0.75, 0.25, 0.5, Double.NaN, 0.375};
    for (int i = 0; i < rows.size(); i++) {
      if (!Double.isNaN(quality[i])) {
        rows.get(i).put("q", quality[i]);
      }
    }
    PoolFiles.writeJsonl(dir.resolve("payload.jsonl"), rows);
  }

  private RankerFixture ranker() {
    return RankerFixture.in(dir, 2, 2);
  }

  private List<Map<String, Object>> rank(RankerFixture fixture) throws IOException {
    fixture.run("target.jsonl", "pool.jsonl", "payload.jsonl");
    return PoolFiles.readRows(fixture.outputPath());
  }

  private static List<Object> column(List<Map<String, Object>> rows, String name) {
    List<Object> values = new ArrayList<>();
    rows.forEach(r -> values.add(r.get(name)));
    return values;
  }

  @Test
  void selectsWithinTheTokenBudgetBreakingTiesByDocId() throws IOException {
    RankerFixture fixture = ranker().fraction(0.5);
    RankReport report = fixture.run("target.jsonl", "pool.jsonl", "payload.jsonl");
    List<Map<String, Object>> rows = PoolFiles.readRows(fixture.outputPath());
    // budget floor(65 * .5) = 32: d1 (10), d5 (15); d2 would make 35
    assertThat(column(rows, "docid")).containsExactly("d1", "d5");
    assertThat(column(rows, "nag_distance")).containsExactly(0.25, 0.25);
    assertThat(rows.get(0).keySet())
        .containsExactly("docid", "doc", "token_num", "dataset", "q", "nag_distance");
    assertThat(report.totalTokens()).isEqualTo(65);
    assertThat(report.budget()).isEqualTo(32);
    assertThat(report.selected()).isEqualTo(2);
    assertThat(report.selectedTokens()).isEqualTo(15);
  }

  @Test
  void zeroTokenDocumentsInsideTheBudgetAreKept() throws IOException {
    // budget 39: d1 10, d5 15, d2 35, d4 35 (missing count = 0), d3 would make 65
    List<Map<String, Object>> rows = rank(ranker().fraction(0.6));
    assertThat(column(rows, "docid")).containsExactly("d1", "d5", "d2", "d4");
    assertThat(column(rows, "nag_distance")).containsExactly(0.25, 0.25, 0.375, 0.5);
  }

  @Test
  void fusesQualityByMinMaxAndLeavesOutRowsWithoutIt() throws IOException {
    // without d4: distance norm d1 0, d2 1/6, d3 1, d5 0; quality norm d1 1, d2 0, d3 .5, d5 .25
    RankerFixture fixture = ranker().fraction(0.5).quality("q", false);
    RankReport report = fixture.run("target.jsonl", "pool.jsonl", "payload.jsonl");
    List<Map<String, Object>> rows = PoolFiles.readRows(fixture.outputPath());
    assertThat(report.missingQuality()).isEqualTo(1);
    assertThat(column(rows, "docid")).containsExactly("d2", "d5");
    assertThat((double) rows.get(0).get("combined_score")).isCloseTo(1.0 / 6, within(1e-15));
    assertThat(rows.get(1).get("combined_score")).isEqualTo(0.25);
    assertThat(rows.get(0).get("nag_distance")).isEqualTo(0.375);
  }

  @Test
  void invertedQualityPrefersHighValues() throws IOException {
    // 1 - q: d1 0, d2 1, d3 .5, d5 .75 -> combined d1 0, d5 .75, d2 7/6, d3 1.5
    List<Map<String, Object>> rows = rank(ranker().fraction(0.5).quality("q", true));
    assertThat(column(rows, "docid")).containsExactly("d1", "d5");
    assertThat(column(rows, "combined_score")).containsExactly(0.0, 0.75);
  }

  @Test
  void targetFilterBuildsTheProfileFromMatchingRowsOnly() throws IOException {
    // t1 only: layer 0 {0:.5, 1:.5}, layer 1 {2:.5, 3:.5}; d1 0, d5 .25, d2 = d4 = .5, d3 1
    RankerFixture fixture = ranker().fraction(0.5).targetFilter("target_payload.jsonl", "sci");
    RankReport report = fixture.run("target.jsonl", "pool.jsonl", "payload.jsonl");
    assertThat(report.targetExamples()).isEqualTo(1);
    List<Map<String, Object>> rows = PoolFiles.readRows(fixture.outputPath());
    assertThat(column(rows, "docid")).containsExactly("d1", "d5");
    assertThat(column(rows, "nag_distance")).containsExactly(0.0, 0.25);
  }

  @Test
  void targetFilterErrors() {
    assertThatThrownBy(() -> rank(ranker().targetFilter(null, "sci")))
        .hasMessage(
            "--target-filter needs --target-payload: the column 'dataset' is read from the target"
                + " payload");
    assertThatThrownBy(() -> rank(ranker().targetFilter("target_payload.jsonl", "math")))
        .hasMessage(
            "empty target set after filtering: 2 target feature rows, 0 target payload rows with"
                + " dataset = math, none usable");
  }

  @Test
  void slicesLayersBeforeRanking() throws IOException {
    // last layer only: profile {2:.5, 3:.25, 4:.25}; d1 = d2 = d5 = .25, d4 .5, d3 1
    List<Map<String, Object>> rows = rank(ranker().fraction(0.6).layers("last"));
    assertThat(column(rows, "docid")).containsExactly("d1", "d2", "d5", "d4");
    assertThat(column(rows, "nag_distance")).containsExactly(0.25, 0.25, 0.25, 0.5);
  }

  @Test
  void raisesCountsToThePowerBeforeNormalising() throws IOException {
    // power 2: layer 0 {0:4/6, 1:1/6, 2:1/6}, layer 1 {2:4/6, 3:1/6, 4:1/6}; d1 sim 5/6
    List<Map<String, Object>> rows = rank(ranker().fraction(0.1).power(2.0));
    assertThat(column(rows, "docid")).containsExactly("d1");
    assertThat((double) rows.get(0).get("nag_distance")).isCloseTo(1.0 / 6, within(1e-15));
  }

  @Test
  void countsRowsOnOneSideOnlyAndFailsOnThemWhenStrict() throws IOException {
    Files.writeString(
        dir.resolve("pool.jsonl"), featureLine("d6", 0, 1, 2, 3) + "\n", StandardOpenOption.APPEND);
    Files.writeString(
        dir.resolve("payload.jsonl"),
        PoolFiles.JSON.writeValueAsString(payload("d7", 3L, "web")) + "\n",
        StandardOpenOption.APPEND);
    RankReport report = ranker().run("target.jsonl", "pool.jsonl", "payload.jsonl");
    assertThat(report.joined()).isEqualTo(5);
    assertThat(report.featuresWithoutPayload()).isEqualTo(1);
    assertThat(report.payloadWithoutFeatures()).isEqualTo(1);
    assertThatThrownBy(() -> rank(ranker().strict()))
        .hasMessage(
            "--strict: 1 feature rows have no payload row and 1 payload rows have no feature row");
  }

  @Test
  void readsPandasParquetAndWritesParquetWithoutTheIndexColumn() throws IOException {
    List<Map<String, Object>> rows = PoolFiles.readRows(dir.resolve("payload.jsonl"));
    PoolFiles.writePandasParquet(dir.resolve("payload.parquet"), rows);
    RankerFixture fixture = ranker().fraction(0.6).output("out.parquet");
    fixture.run("target.jsonl", "pool.jsonl", "payload.parquet");
    List<Map<String, Object>> out = PoolFiles.readRows(fixture.outputPath());
    assertThat(column(out, "docid")).containsExactly("d1", "d5", "d2", "d4");
    assertThat(out.get(0).keySet())
        .containsExactly("docid", "doc", "token_num", "dataset", "nag_distance");
    assertThat(out.get(3).get("token_num")).isNull();
    assertThat(
            PoolFiles.parquetSchema(fixture.outputPath()).getField("token_num").schema().toString())
        .contains("long");
  }

  @Test
  void readsParquetFeatureFiles() throws IOException {
    PoolFiles.writeFeatureParquet(
        dir.resolve("pool.parquet"),
        List.of("d1", "d2", "d3", "d4", "d5"),
        List.of(
            new int[] {0, 1, 2, 3},
            new int[] {0, 5, 2, 4},
            new int[] {7, 8, 9, 6},
            new int[] {1, 2, 3, 4},
            new int[] {0, 2, 3, 2}));
    RankerFixture fixture = ranker().fraction(0.6);
    fixture.run("target.jsonl", "pool.parquet", "payload.jsonl");
    assertThat(column(PoolFiles.readRows(fixture.outputPath()), "docid"))
        .containsExactly("d1", "d5", "d2", "d4");
  }

  @Test
  void integerDocIdsTieNumerically() throws IOException {
    PoolFiles.writeLines(
        dir.resolve("pool.jsonl"),
        List.of(
            featureLine(10, 0, 1, 2, 3), featureLine(9, 0, 1, 2, 3), featureLine(100, 0, 1, 2, 3)));
    PoolFiles.writeJsonl(
        dir.resolve("payload.jsonl"),
        List.of(payload(100, 1L, "w"), payload(9, 1L, "w"), payload(10, 1L, "w")));
    assertThat(column(rank(ranker().fraction(1.0)), "docid")).containsExactly(9, 10, 100);
  }

  @Test
  void anEmptyPoolSelectsNothing() throws IOException {
    Files.writeString(dir.resolve("payload.jsonl"), "");
    RankerFixture fixture = ranker();
    RankReport report = fixture.run("target.jsonl", "pool.jsonl", "payload.jsonl");
    assertThat(report.selected()).isZero();
    assertThat(Files.readString(fixture.outputPath())).isEmpty();
  }

  @Test
  void rejectsFractionOutOfRange() {
    assertThatThrownBy(() -> rank(ranker().fraction(1.5)))
        .hasMessage("--fraction must be in [0, 1], got 1.5");
  }
}
