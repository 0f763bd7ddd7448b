package io.nagselector.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportModelTest {
  @TempDir Path dir;

  static RunData sample() {
    return new RunData(
        List.of(
            new RunData.Target(
                "sci",
                2,
                "FRACTION",
                0.2,
                0.5,
                2,
                2,
                List.of(
                    new RunData.TopEntry(
                        "d1",
                        0.9,
                        "science",
                        "Stars fuse hydrogen. </script><script>document.title='pwned'</script>")))),
        List.of(
            new RunData.Score("sci", "d1", "science", 0.9),
            new RunData.Score("sci", "d2", "science", 0.7),
            new RunData.Score("sci", "d3", "cooking", 0.2),
            new RunData.Score("sci", "d4", null, 0.4)),
        List.of(
            new RunData.Selected(
                "sci", 1, "d2", "science", 0.7, null, 2000, List.of(0.2, 0.5), "b", false),
            new RunData.Selected(
                "sci", 2, "d1", "science", 0.9, 0.5, 3000, List.of(0.3, 0.6), "a", false),
            new RunData.Selected(
                "sci", 1, "d3", "cooking", 0.2, null, 1000, List.of(0.1, 0.1), "c", false),
            new RunData.Selected("sci", 2, "d9", "cooking", 0.8, null, 9, List.of(), "x", true)),
        List.of(
            new RunData.DeadLetterRow("EMPTY_TEXT", "crawl", "d5", "empty"),
            new RunData.DeadLetterRow("EMPTY_TEXT", "crawl", "d6", "empty"),
            new RunData.DeadLetterRow("DECODE_ERROR", "crawl", null, "not avro")),
        List.of(
            new RunData.DuplicateRow("EXACT", "d1-copy", "science", null, 1.0),
            new RunData.DuplicateRow("NEAR", "d2-mirror", "science", "d2", 0.91),
            new RunData.DuplicateRow("EXACT", "d3-copy", "cooking", null, 1.0)));
  }

  @Test
  void meanSimilarityPerSourceHighestFirst() {
    assertThat(sample().meanBySource("sci"))
        .containsExactly(
            Map.entry("science", 0.8), Map.entry("(none)", 0.4), Map.entry("cooking", 0.2));
  }

  @Test
  void chartsHaveTheirExactNumbers() {
    ReportModel model = ReportModel.of(sample());
    assertThat(model.documents()).isEqualTo(4);
    assertThat(model.deadLetters())
        .containsExactly(Map.entry("DECODE_ERROR", 1L), Map.entry("EMPTY_TEXT", 2L));
    assertThat(model.duplicates()).containsExactly(Map.entry("EXACT", 2L), Map.entry("NEAR", 1L));
    assertThat(model.nearDuplicates())
        .containsExactly(new RunData.DuplicateRow("NEAR", "d2-mirror", "science", "d2", 0.91));
    ReportModel.TargetView t = model.targets().get(0);
    // per version, cumulative in time order; the backfill record is not the live job's
    assertThat(t.acceptance().keySet()).containsExactly("v1", "v2");
    assertThat(t.acceptance().get("v1"))
        .containsExactly(new double[] {1000, 1}, new double[] {2000, 2});
    assertThat(t.acceptance().get("v2")).containsExactly(new double[] {3000, 1});
    // similarities 0.2 .. 0.9 in 30 bins of (0.9 - 0.2) / 30
    assertThat(t.histogram()).hasSize(30);
    assertThat(t.histogram().stream().mapToDouble(b -> b[2]).sum()).isEqualTo(4);
    assertThat(t.histogram().get(0)[2]).isEqualTo(1); // 0.2
    assertThat(t.histogram().get(29)[2]).isEqualTo(1); // 0.9, the maximum, in the last bin
    // share of the similarity per layer, mean over the selected documents of each source
    assertThat(t.heatmapSources()).containsExactly("cooking", "science");
    assertThat(t.heatmap())
        .usingElementComparator((a, b) -> Arrays.equals(round(a), round(b)) ? 0 : 1)
        .containsExactly(
            new double[] {0, 0, 0.5},
            new double[] {1, 0, 0.5},
            new double[] {0, 1, (0.2 / 0.7 + 0.3 / 0.9) / 2},
            new double[] {1, 1, (0.5 / 0.7 + 0.6 / 0.9) / 2});
  }

  private static double[] round(double[] v) {
    return Arrays.stream(v).map(x -> Math.round(x * 1e12) / 1e12).toArray();
  }

  @Test
  void theRunDataRoundTripsThroughItsFiles() throws Exception {
    RunData data = sample();
    data.writeTo(dir);
    RunData back = RunData.readFrom(dir);
    assertThat(back.targets()).isEqualTo(data.targets());
    assertThat(back.scores()).isEqualTo(data.scores());
    assertThat(back.selected()).isEqualTo(data.selected());
    assertThat(back.dead()).isEqualTo(data.dead());
    assertThat(back.duplicates()).isEqualTo(data.duplicates());
  }

  @Test
  void placeholdersAreFilledWhereTheTemplateHasThemOnly() {
    assertThat(
            ReportHtml.fill(
                "<a>/*X*/</a><b>/*Y*/</b>",
                new String[] {"/*X*/", "/*Y*/"},
                new String[] {"x has /*Y*/ in it", "y"}))
        .isEqualTo("<a>x has /*Y*/ in it</a><b>y</b>");
  }
}
