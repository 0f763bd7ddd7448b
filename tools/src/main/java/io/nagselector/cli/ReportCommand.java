package io.nagselector.cli;

import io.nagselector.report.ReportHtml;
import io.nagselector.report.RunCollector;
import io.nagselector.report.RunData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code report}: one self-contained HTML file about what a run selected. */
@Command(
    name = "report",
    mixinStandardHelpOptions = true,
    showDefaultValues = true,
    description = {
      "Write an HTML report (charts inlined, no network needed to view it): per target, acceptance",
      "over time, the similarity histogram with the threshold, the per-layer contributions, the mean",
      "similarity per domain and the top-k; the duplicates skipped (near-duplicates with the id",
      "they resemble); dead letters by reason."
    })
final class ReportCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(
      names = "--input",
      required = true,
      paramLabel = "DIR|kafka",
      description =
          "A directory a demo run wrote, or 'kafka': the job's topics, with the Kafka settings of"
              + " --config.")
  String input;

  /** With --input kafka. */
  @Mixin JobConfigOption config;

  @Option(names = "--output", defaultValue = "report.html", paramLabel = "FILE")
  Path output;

  @Override
  public Integer call() throws Exception {
    RunData data =
        input.equals("kafka")
            ? RunCollector.collect(config.unchecked())
            : RunData.readFrom(Path.of(input));
    if (output.getParent() != null) {
      Files.createDirectories(output.getParent());
    }
    ReportHtml.write(data, output);
    spec.commandLine()
        .getOut()
        .printf(
            "report: %d targets, %d documents scored, %d selected, %d dead letters, %d duplicates"
                + " (%d near) -> %s%n",
            data.targets().size(),
            data.scores().stream().map(RunData.Score::id).distinct().count(),
            data.selected().size(),
            data.dead().size(),
            data.duplicates().size(),
            data.nearDuplicates().size(),
            output);
    return 0;
  }
}
