package io.nagselector.job;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.nagselector.avro.SelectedDocument;
import io.nagselector.broker.EmbeddedKafka;
import io.nagselector.config.JobConfig;
import io.nagselector.io.RecordFormat;
import io.nagselector.model.TinyCheckpoint;
import io.nagselector.testutils.Await;
import io.nagselector.testutils.Broker;
import io.nagselector.testutils.Jobs;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.flink.core.execution.JobClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The job with every topic in JSON, driven by a client that is not ours and not Java: kcat
 * (librdkafka, from Debian's packages; .ci/run installs it). kcat sends a target command and 20
 * crawl documents as JSON lines, and reads the answer and the selections back, committed only: each
 * is one plain JSON object with the schema's field names.
 */
class ForeignClientIT extends PipelineIT {
  @RegisterExtension static final Broker BROKER = new Broker();

  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  private static String kcat() {
    return Stream.of(System.getenv("PATH").split(File.pathSeparator))
        .map(p -> Path.of(p, "kcat"))
        .filter(Files::isExecutable)
        .findFirst()
        .map(Path::toString)
        .orElseThrow(
            () ->
                new AssertionError(
                    "no kcat on the PATH: install Debian's kcat package (.ci/run does)"));
  }

  /** Runs kcat with {@code input} on stdin; returns what it printed. */
  private static String kcat(String input, String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of(kcat()));
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).redirectErrorStream(false).start();
    p.getOutputStream().write(input.getBytes(StandardCharsets.UTF_8));
    p.getOutputStream().close();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("kcat finished").isTrue();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.exitValue()).as("kcat %s: %s", args, err).isZero();
    return out;
  }

  /** Every committed value of {@code topic}, one JSON object per line. */
  private static List<JsonNode> consume(EmbeddedKafka kafka, String topic) throws Exception {
    String out =
        kcat(
            "",
            "-C",
            "-b",
            kafka.bootstrapServers(),
            "-t",
            topic,
            "-o",
            "beginning",
            "-e",
            "-q",
            "-X",
            "isolation.level=read_committed",
            "-f",
            "%s\\n");
    List<JsonNode> values = new ArrayList<>();
    for (String line : out.split("\n")) {
      if (!line.isBlank()) {
        values.add(JSON.readTree(line));
      }
    }
    return values;
  }

  private static void produce(EmbeddedKafka kafka, String topic, List<String> lines)
      throws Exception {
    kcat(String.join("\n", lines) + "\n", "-P", "-b", kafka.bootstrapServers(), "-t", topic);
  }

  private static Set<String> fields(JsonNode n) {
    Set<String> names = new TreeSet<>();
    for (Iterator<String> i = n.fieldNames(); i.hasNext(); ) {
      names.add(i.next());
    }
    return names;
  }

  @Test
  void kcatSendsATargetAndDocumentsAndReadsTheSelectionsAsJson() throws Exception {
    Path model = TinyCheckpoint.decoder("qwen3", 5).write(dir.resolve("model"), "F32", 1);
    Random rnd = new Random(5);
    EmbeddedKafka kafka = BROKER.kafka();
    createJobTopics(kafka);
    JobConfig config =
        testConfig(
            kafka,
            model,
            dir,
            "300ms",
            Map.of(
                "NAG_INPUT_FORMAT", "json",
                "NAG_CONTROL_FORMAT", "json",
                "NAG_OUTPUT_FORMAT", "json"));
    JobClient job = startJob(config, null);

    String example = TinyCheckpoint.randomText(rnd, 8);
    produce(
        kafka,
        "control",
        List.of(
            "{\"command_id\": \"kcat-1\", \"type\": \"UPSERT\", \"target\": \"all\","
                + " \"example_texts\": ["
                + JSON.writeValueAsString(example)
                + "], \"policy\": {\"kind\": \"THRESHOLD\", \"value\": 0.0}}",
            "{\"command_id\": \"kcat-2\", \"type\": \"UPSERT\", \"target\": \"all\","
                + " \"colour\": \"red\"}"));
    List<JsonNode> answers =
        Await.value(
            "an answer on control-events",
            Duration.ofSeconds(90),
            () -> {
              List<JsonNode> read = consume(kafka, "control-events");
              return read.isEmpty() ? null : read;
            });
    assertThat(answers).hasSize(1);
    assertThat(answers.get(0).get("command_id").asText()).isEqualTo("kcat-1");
    assertThat(answers.get(0).get("status").asText()).isEqualTo("APPLIED");
    assertThat(answers.get(0).get("version").asInt()).isEqualTo(1);

    List<String> docs = new ArrayList<>();
    Set<String> ids = new TreeSet<>();
    for (int i = 0; i < 20; i++) {
      String id = "kcat-doc-" + i;
      ids.add(id);
      docs.add(
          JSON.writeValueAsString(
              Map.of("id", id, "text", TinyCheckpoint.randomText(rnd, 6 + i), "source", "kcat")));
    }
    produce(kafka, "crawl", docs);
    List<JsonNode> selected =
        Await.value(
            "every document selected",
            Duration.ofSeconds(90),
            () -> {
              List<JsonNode> read = consume(kafka, "selected");
              return read.size() < ids.size() ? null : read;
            });
    List<JsonNode> dead = consume(kafka, "dead-letters");
    Jobs.cancel(job);

    assertThat(selected.stream().map(n -> n.get("id").asText()).collect(Collectors.toSet()))
        .isEqualTo(ids);
    Set<String> schemaFields =
        SelectedDocument.getClassSchema().getFields().stream()
            .map(f -> f.name())
            .collect(Collectors.toCollection(TreeSet::new));
    for (JsonNode s : selected) {
      assertThat(fields(s)).isEqualTo(schemaFields);
      assertThat(s.get("target").asText()).isEqualTo("all");
      assertThat(s.get("source").asText()).isEqualTo("kcat");
      // and it is the record our own readers decode
      assertThat(
              RecordFormat.JSON
                  .decodeStrictly(JSON.writeValueAsBytes(s), SelectedDocument.class)
                  .getId())
          .isEqualTo(s.get("id").asText());
    }
    // the command with an unknown field: refused as undecodable, with the reason
    assertThat(dead).hasSize(1);
    assertThat(dead.get(0).get("reason").asText()).isEqualTo("DECODE_ERROR");
    assertThat(dead.get(0).get("message").asText()).contains("colour: unknown field");
  }
}
