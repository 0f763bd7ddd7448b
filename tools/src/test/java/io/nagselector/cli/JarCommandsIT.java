package io.nagselector.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.nagselector.broker.EmbeddedKafka;
import io.nagselector.config.JobConfig;
import io.nagselector.kafka.JobTopics;
import io.nagselector.testutils.FastOrder;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** README commands run from the packaged jar: `demo --keep-running` and each `bench`. */
class JarCommandsIT {
  private static final Path JAR = Path.of("target", "nag-selector.jar");
  @TempDir Path dir;

  private static ProcessBuilder java(String... args) {
    List<String> command =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar",
                JAR.toString()));
    command.addAll(List.of(args));
    return new ProcessBuilder(command).redirectErrorStream(true);
  }

  private static String run(String... args) throws Exception {
    return run(Map.of(), args);
  }

  /** Runs the jar with {@code env} added to this JVM's environment. */
  private static String run(Map<String, String> env, String... args) throws Exception {
    ProcessBuilder command = java(args);
    command.environment().putAll(env);
    Process p = command.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out).isZero();
    return out;
  }

  @Test
  void demoKeepsTheJobAndBrokerUpUntilStopped() throws Exception {
    Process demo =
        java("demo", "--keep-running", "--rate", "100", "--out", dir.resolve("out").toString())
            .start();
    try {
      StringBuilder printed = new StringBuilder();
      CompletableFuture<String> ready =
          CompletableFuture.supplyAsync(
              () -> {
                try (BufferedReader in =
                    new BufferedReader(
                        new InputStreamReader(demo.getInputStream(), StandardCharsets.UTF_8))) {
                  String line;
                  while ((line = in.readLine()) != null) {
                    printed.append(line).append('\n');
                    if (line.startsWith("--keep-running:")) {
                      return line;
                    }
                  }
                  return null;
                } catch (IOException e) {
                  throw new UncheckedIOException(e);
                }
              });
      String line = ready.get(150, TimeUnit.SECONDS);
      assertThat(line).as(printed.toString()).isNotNull();
      Matcher m =
          Pattern.compile("http://localhost:(\\d+)\\) and the broker \\((127\\.0\\.0\\.1:\\d+)\\)")
              .matcher(line);
      assertThat(m.find()).as(line).isTrue();
      int uiPort = Integer.parseInt(m.group(1));
      String broker = m.group(2);

      // the Flink web UI's REST API shows the job running
      String jobs =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(
                          URI.create("http://localhost:" + uiPort + "/jobs/overview"))
                      .build(),
                  HttpResponse.BodyHandlers.ofString())
              .body();
      assertThat(jobs).contains("\"name\":\"nag-selector demo\"", "\"state\":\"RUNNING\"");

      // `target list` against the demo's broker
      ProcessBuilder list = java("target", "list");
      list.environment().put("NAG_KAFKA_BOOTSTRAP_SERVERS", broker);
      Process p = list.start();
      String listed = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
      assertThat(listed).contains("cooking", "science");

      demo.destroy(); // SIGTERM, as Ctrl-C: the shutdown hook stops the job and the broker
      assertThat(demo.waitFor(60, TimeUnit.SECONDS)).isTrue();
      for (int port : new int[] {uiPort, Integer.parseInt(broker.split(":")[1])}) {
        try (ServerSocket free = new ServerSocket(port)) {
          assertThat(free.isBound()).isTrue();
        }
      }
    } finally {
      demo.destroyForcibly();
    }
  }

  @Test
  void runStartsTheJobOnTheConfiguredBroker() throws Exception {
    try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
      kafka.createTopics(
          JobTopics.toCreate(JobConfig.load(Path.of("config/local.yaml"), Map.of())));
      ProcessBuilder run = java("run", "--config", "config/local.yaml");
      run.environment().put("NAG_KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers());
      run.environment().put("NAG_CHECKPOINTS_INTERVAL", "1s");
      run.environment().putAll(FastOrder.ENV);
      run.environment().put("NAG_CHECKPOINTS_DIR", dir.resolve("checkpoints").toUri().toString());
      Process job = run.redirectOutput(dir.resolve("run.log").toFile()).start();
      try {
        // the job answers a command only when it runs: `target upsert --wait` proves it
        ProcessBuilder upsert =
            java(
                "target",
                "upsert",
                "--name",
                "science",
                "--examples",
                "examples/demo/targets/science.jsonl",
                "--wait",
                "--timeout",
                "150s");
        upsert.environment().put("NAG_KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers());
        Process p = upsert.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(180, TimeUnit.SECONDS)).isTrue();
        assertThat(out).contains("APPLIED UPSERT science version 1, 6 examples");
        assertThat(job.isAlive()).isTrue();
      } finally {
        job.destroy();
        job.waitFor(60, TimeUnit.SECONDS);
        job.destroyForcibly();
      }
    }
  }

  @Test
  void everyBenchPrintsItsFigures() throws Exception {
    assertThat(
            run(
                "bench",
                "rank",
                "--docs",
                "2000",
                "--targets",
                "20",
                "--layers",
                "4",
                "--neurons",
                "256"))
        .containsPattern("ranked 2,000 docs in [0-9.]+ s: [0-9,]+ docs/s; selected [0-9,]+ docs");
    assertThat(run("bench", "extract", "--model", "random-qwen3", "--docs", "16"))
        .containsPattern("share of roofline=[0-9]+%");
    assertThat(
            run(
                "bench",
                "score",
                "--targets",
                "1",
                "--neurons",
                "256",
                "--layers",
                "4",
                "--forks",
                "0",
                "--warmup",
                "1",
                "--iterations",
                "1"))
        .containsPattern("4 +20 +256 +1 +[0-9,]+ +[0-9,]+");
    // the user's NAG_* settings win over the bench's: a short max-hold and checkpoint interval, so
    // that what the fraction target leaves undecided is settled and committed sooner
    Map<String, String> quick =
        Map.of("NAG_SELECTION_MAX_HOLD", "1s", "NAG_CHECKPOINTS_INTERVAL", "2s");
    assertThat(run(quick, "bench", "pipeline", "--docs", "60", "--warm-up", "10"))
        .containsPattern("ratio: [0-9]+% of the bare extractor");
    assertThat(run("bench", "soak", "--docs", "300", "--checkpoint-interval", "2s"))
        .containsPattern("selected 300 documents in [0-9]+ s")
        .contains("rocksdb B")
        // a row whose live RocksDB size (8th column) is not zero
        .containsPattern(
            "\n +[0-9]+ +[0-9]+ +[0-9.]+ +[0-9]+ +[0-9]+ +[0-9]+ +[0-9]+ +[1-9][0-9]* +[0-9.]+\n")
        .containsPattern("heap after GC, slope over the last 3/4 of the checkpoints: -?[0-9.]+ MB");
  }
}
