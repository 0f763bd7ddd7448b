package io.nagselector.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Writes the report: one self-contained HTML file, ECharts (from its webjar) and the data inlined,
 * so it opens without a network.
 */
public final class ReportHtml {
  /** The webjar version in the pom; only this file of it is shaded into the jar. */
  static final String ECHARTS = "/META-INF/resources/webjars/echarts/5.3.1/dist/echarts.min.js";

  private ReportHtml() {}

  public static void write(RunData data, Path file) throws IOException {
    Path tmp = file.resolveSibling(file.getFileName() + ".partial");
    Files.writeString(tmp, html(ReportModel.of(data)), StandardCharsets.UTF_8);
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
  }

  static String html(ReportModel model) throws IOException {
    String json = new ObjectMapper().writeValueAsString(model).replace("</", "<\\/");
    return fill(
        resource("report.html"),
        new String[] {"/*ECHARTS*/", "/*DATA*/", "/*SCRIPT*/"},
        new String[] {resource(ECHARTS), json, resource("report.js")});
  }

  /** Replaces each placeholder once, where the template has it (never inside inserted text). */
  static String fill(String template, String[] placeholders, String[] values) {
    StringBuilder out = new StringBuilder();
    int from = 0;
    for (int i = 0; i < placeholders.length; i++) {
      int at = template.indexOf(placeholders[i], from);
      if (at < 0) {
        throw new IllegalStateException("the report template has no " + placeholders[i]);
      }
      out.append(template, from, at).append(values[i]);
      from = at + placeholders[i].length();
    }
    return out.append(template.substring(from)).toString();
  }

  private static String resource(String name) throws IOException {
    try (InputStream in = ReportHtml.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException("missing resource " + name + " (a broken build?)");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}
