package io.nagselector.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The packaged fat jar, run as a user runs it: the README's multi-target walk-through. */
class JarIT {
  private static final Path JAR = Path.of("target", "nag-selector.jar");
  @TempDir Path dir;

  private record Result(int code, String out) {}

  private Result java(String... args) throws IOException, InterruptedException {
    List<String> command =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar",
                JAR.toString()));
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
    return new Result(p.exitValue(), out);
  }

  private Result rank(String target, String output) throws Exception {
    return java(
        "rank",
        "--target-features",
        "examples/target_features.jsonl",
        "--target-payload",
        "examples/target_payload.jsonl",
        "--target-filter",
        target,
        "--pool-features",
        "examples/pool_features.jsonl",
        "--pool-payload",
        "examples/pool_payload.jsonl",
        "--num-layers",
        "4",
        "--top-k",
        "8",
        "--fraction",
        "0.1",
        "--output",
        dir.resolve(output).toString());
  }

  @Test
  void helpRunsFromTheJar() throws Exception {
    Result help = java("--help");
    assertThat(help.code()).isZero();
    assertThat(help.out()).contains("rank", "merge", "slice", "bench");
  }

  @Test
  void twoTargetsRankedAndMergedSelectTheirOwnDomains() throws Exception {
    assertThat(rank("science", "science.parquet").code()).isZero();
    assertThat(rank("cooking", "cooking.parquet").code()).isZero();
    Result merge =
        java(
            "merge",
            "--inputs",
            dir.resolve("science.parquet").toString(),
            dir.resolve("cooking.parquet").toString(),
            "--output",
            dir.resolve("both.jsonl").toString(),
            "--dedupe");
    assertThat(merge.code()).as(merge.out()).isZero();
    Map<Object, Integer> byDomain = new HashMap<>();
    ObjectMapper json = new ObjectMapper();
    for (String line : Files.readAllLines(dir.resolve("both.jsonl"))) {
      byDomain.merge(json.readTree(line).get("dataset").asText(), 1, Integer::sum);
    }
    int total = byDomain.values().stream().mapToInt(Integer::intValue).sum();
    assertThat(byDomain.get("science") + byDomain.get("cooking"))
        .isGreaterThanOrEqualTo(total * 8 / 10);
  }

  @Test
  void extractsWithTheBundledModelThenRanksScienceFirst() throws Exception {
    Result pool =
        java(
            "extract",
            "--input",
            "examples/pool_payload.jsonl",
            "--output",
            dir.resolve("features").toString(),
            "--threads",
            "2");
    assertThat(pool.code()).as(pool.out()).isZero();
    assertThat(pool.out()).contains("docs: 150 extracted, 0 failed");
    Result targets =
        java(
            "extract",
            "--input",
            "examples/target_payload.jsonl",
            "--output",
            dir.resolve("features").toString());
    assertThat(targets.code()).as(targets.out()).isZero();
    Result rank =
        java(
            "rank",
            "--target-features",
            dir.resolve("features/target_payload.jsonl").toString(),
            "--target-payload",
            "examples/target_payload.jsonl",
            "--target-filter",
            "science",
            "--pool-features",
            dir.resolve("features/pool_payload.jsonl").toString(),
            "--pool-payload",
            "examples/pool_payload.jsonl",
            "--num-layers",
            "6",
            "--top-k",
            "20",
            "--fraction",
            "0.1",
            "--output",
            dir.resolve("science.jsonl").toString());
    assertThat(rank.code()).as(rank.out()).isZero();
    ObjectMapper json = new ObjectMapper();
    List<String> lines = Files.readAllLines(dir.resolve("science.jsonl"));
    long science = lines.stream().filter(l -> l.contains("\"dataset\":\"science\"")).count();
    assertThat(science).isGreaterThanOrEqualTo(lines.size() * 8L / 10);
    assertThat(json.readTree(lines.get(0)).get("dataset").asText()).isEqualTo("science");
  }

  @Test
  void aUserMistakeIsOneLineWithExitCodeTwo() throws Exception {
    Result r = rank("science", "out.csv");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.out().strip())
        .isEqualTo(
            "error: "
                + dir.resolve("out.csv")
                + ": unknown file type (expected .parquet, .jsonl or .json)");
  }
}
