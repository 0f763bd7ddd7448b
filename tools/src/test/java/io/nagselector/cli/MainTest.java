package io.nagselector.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The command line: help, exit codes, one-line errors, the reference's option spellings. */
class MainTest {
  @TempDir Path dir;
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    CommandLine cli = Main.commandLine();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    return cli.execute(args);
  }

  private String[] rankArgs(String output, boolean underscores) {
    String sep = underscores ? "_" : "-";
    return new String[] {
      "rank",
      "--target" + sep + "features",
      "examples/target_features.jsonl",
      "--target" + sep + "payload",
      "examples/target_payload.jsonl",
      "--target" + sep + "filter",
      "science",
      "--pool" + sep + "features",
      "examples/pool_features.jsonl",
      "--pool" + sep + "payload",
      "examples/pool_payload.jsonl",
      "--num" + sep + "layers",
      "4",
      "--top" + sep + "k",
      "8",
      underscores ? "--output_path" : "--output",
      dir.resolve(output).toString(),
      "--quiet"
    };
  }

  @Test
  void helpListsTheSubcommands() {
    assertThat(run("--help")).isZero();
    assertThat(out.toString()).contains("rank", "merge", "slice", "bench");
  }

  @Test
  void subcommandHelpShowsDefaults() {
    assertThat(run("rank", "--help")).isZero();
    assertThat(out.toString())
        .contains("Default: fwd_up_feature", "Default: 0.2", "Default: token_num");
    assertThat(run("bench", "score", "--help")).isZero();
    assertThat(out.toString()).contains("Default: 1,10,100");
  }

  @Test
  void ranksTheSamplePoolAndPrintsASummary() throws Exception {
    assertThat(run(rankArgs("sel.jsonl", false))).isZero();
    assertThat(out.toString())
        .contains("target: 3 examples")
        .contains("pool: 150 feature rows, 150 payload rows, 150 joined")
        .contains("budget: 338 of 1,692 tokens (fraction 0.2)")
        .contains("selected: 31 documents");
    assertThat(Files.readAllLines(dir.resolve("sel.jsonl"))).hasSize(31);
  }

  @Test
  void acceptsTheReferenceUnderscoreSpellings() throws Exception {
    assertThat(run(rankArgs("a.jsonl", false))).isZero();
    assertThat(run(rankArgs("b.jsonl", true))).isZero();
    assertThat(Files.readString(dir.resolve("b.jsonl")))
        .isEqualTo(Files.readString(dir.resolve("a.jsonl")));
    assertThat(
            run(
                "merge",
                "--input_paths",
                dir.resolve("a.jsonl").toString(),
                dir.resolve("b.jsonl").toString(),
                "--output_path",
                dir.resolve("m.jsonl").toString(),
                "--deduplicate",
                "-q"))
        .isZero();
    assertThat(out.toString()).contains("merged: 31 rows", "(31 duplicates dropped)");
  }

  @Test
  void userMistakesGiveOneLineAndExitCodeTwo() {
    int code =
        run(
            "rank",
            "--target-features",
            "missing.jsonl",
            "--pool-features",
            "x",
            "--pool-payload",
            "y",
            "--output",
            dir.resolve("o.jsonl").toString(),
            "-q");
    assertThat(code).isEqualTo(2);
    assertThat(err.toString().strip())
        .isEqualTo("error: --target-features: no such file or directory: missing.jsonl");
  }

  @Test
  void badFractionIsAUserError() {
    String[] args = rankArgs("o.jsonl", false);
    String[] withFraction = Arrays.copyOf(args, args.length + 2);
    withFraction[args.length] = "--fraction";
    withFraction[args.length + 1] = "-0.5";
    assertThat(run(withFraction)).isEqualTo(2);
    assertThat(err.toString().strip()).isEqualTo("error: --fraction must be in [0, 1], got -0.5");
  }

  @Test
  void unknownOptionIsAUsageError() {
    String[] args = rankArgs("o.jsonl", false);
    String[] withUnknown = Arrays.copyOf(args, args.length + 1);
    withUnknown[args.length] = "--frobnicate";
    assertThat(run(withUnknown)).isEqualTo(2);
    assertThat(err.toString())
        .contains("Unknown option: '--frobnicate'")
        .contains("Possible solutions: --fraction");
  }
}
