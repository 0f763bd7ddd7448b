package io.nagselector.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The report as a browser draws it: headless Chromium renders the HTML file (no network), and the
 * DOM it leaves must have every chart drawn with its series. A screenshot is kept in target/.
 */
public class ReportRenderIT {
  @TempDir Path dir;

  /** $CHROMIUM, else the first of chromium, chromium-browser, google-chrome on the PATH. */
  static String chromium() {
    String configured = System.getenv("CHROMIUM");
    if (configured != null && !configured.isBlank()) {
      return configured;
    }
    for (String name : List.of("chromium", "chromium-browser", "google-chrome")) {
      for (String p : System.getenv("PATH").split(File.pathSeparator)) {
        if (Files.isExecutable(Path.of(p, name))) {
          return Path.of(p, name).toString();
        }
      }
    }
    throw new IllegalStateException(
        "no Chromium found: install Debian's chromium package (.ci/run does) or set CHROMIUM");
  }

  static String render(Path html, String... what) throws Exception {
    List<String> command =
        new ArrayList<>(
            List.of(
                chromium(),
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--hide-scrollbars",
                "--virtual-time-budget=10000"));
    command.addAll(List.of(what));
    command.add(html.toUri().toString());
    Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).isZero();
    return out;
  }

  /** Checks every chart of a report file and saves a screenshot as {@code screenshot}. */
  public static void assertEveryChartDrawn(Path html, int charts, Path screenshot)
      throws Exception {
    Document dom = Jsoup.parse(render(html, "--dump-dom"));
    List<Element> drawn = dom.select("[data-chart]");
    assertThat(drawn).hasSize(charts);
    for (Element chart : drawn) {
      String name = chart.id();
      assertThat(chart.attr("data-rendered")).as(name + " rendered").isEqualTo("true");
      assertThat(Integer.parseInt(chart.attr("data-series"))).as(name + " series").isPositive();
      assertThat(Integer.parseInt(chart.attr("data-points"))).as(name + " points").isPositive();
      assertThat(chart.select("svg")).as(name + " svg").isNotEmpty();
      assertThat(chart.select("svg path").size()).as(name + " paths").isGreaterThan(3);
    }
    Files.createDirectories(screenshot.getParent());
    render(html, "--window-size=1320,3600", "--screenshot=" + screenshot.toAbsolutePath());
    assertThat(Files.size(screenshot)).isGreaterThan(10_000);
  }

  @Test
  void chromiumDrawsEveryChartWithoutANetwork() throws Exception {
    Path html = dir.resolve("report.html");
    ReportHtml.write(ReportModelTest.sample(), html);
    String text = Files.readString(html);
    // self-contained: nothing is loaded from elsewhere
    assertThat(text.contains("<script src") || text.contains("<link "))
        .as("external resources")
        .isFalse();
    // 4 charts per target, and the dead letters
    assertEveryChartDrawn(html, 5, Path.of("target", "report-sample.png"));
    Document dom = Jsoup.parse(render(html, "--dump-dom"));
    assertThat(dom.select("table[data-table=top-k] td").eachText())
        .contains("d1", "0.9000")
        // a crawled page's HTML is shown as text, never run
        .anyMatch(t -> t.contains("</script><script>document.title='pwned'</script>"));
    assertThat(dom.select("[data-summary=duplicates]").text())
        .isEqualTo("2 exact, 1 near-duplicates");
    assertThat(dom.select("table[data-table=near-duplicates] td").eachText())
        .containsExactly("d2-mirror", "science", "d2", "0.910");
    assertThat(dom.title()).isEqualTo("NAG Selector report");
  }
}
