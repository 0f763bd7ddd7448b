package io.nagselector.job;

import static io.nagselector.testutils.KafkaClients.producer;
import static io.nagselector.testutils.KafkaClients.readCommitted;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.nagselector.avro.SelectedDocument;
import io.nagselector.broker.EmbeddedKafka;
import io.nagselector.config.JobConfig;
import io.nagselector.dataset.PartitionPath;
import io.nagselector.model.TinyCheckpoint;
import io.nagselector.testutils.Await;
import io.nagselector.testutils.Broker;
import io.nagselector.testutils.Jobs;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.apache.flink.core.execution.JobClient;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Parquet dataset sink on file://, through the job: every selected document is a row of exactly
 * one finished shard, under the configured partitioning (here target=NAME/date=D/hour=H), equal to
 * its record on the selected topic; what a reader lists is only finished shards (in-progress parts
 * are hidden).
 */
class DatasetSinkIT extends PipelineIT {
  @RegisterExtension static final Broker BROKER = new Broker();

  private static final int DOCS = 300;

  @TempDir Path dir;

  @Test
  void everySelectedDocumentIsARowOfExactlyOneFinishedShard() throws Exception {
    Path model = TinyCheckpoint.decoder("qwen3", 9).write(dir.resolve("model"), "F32", 1);
    Random rnd = new Random(9);
    Path root = dir.resolve("dataset");
    EmbeddedKafka kafka = BROKER.kafka();
    try (KafkaProducer<byte[], byte[]> producer = producer(kafka);
        KafkaConsumer<byte[], byte[]> consumer = readCommitted(kafka, "check")) {
      createJobTopics(kafka);
      JobConfig config =
          testConfig(
              kafka,
              model,
              dir,
              "300ms",
              Map.of(
                  "NAG_DATASET_PATH",
                  root.toUri().toString(),
                  "NAG_DATASET_PARTITIONING",
                  "target,date,hour")); // the default layout: TaskManagerFailureIT
      JobClient job = startJob(config, null);
      upsertAllTarget(config, rnd);
      List<String> ids = sendDocs(producer, "d", DOCS, new HashSet<>(), rnd);

      consumer.subscribe(List.of("selected"));
      Map<String, SelectedDocument> selected = new HashMap<>();
      long deadline = System.currentTimeMillis() + 120_000;
      while (selected.size() < DOCS && System.currentTimeMillis() < deadline) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(300))) {
          SelectedDocument s = SelectedDocument.getDecoder().decode(r.value());
          selected.put(s.getId(), s);
        }
      }
      assertThat(selected.keySet()).containsExactlyInAnyOrderElementsOf(ids);
      // the shards are finished by the checkpoint that commits the selections, so they follow
      Await.until(
          "the dataset's shards to hold every selection",
          Duration.ofSeconds(60),
          () -> DatasetFiles.read(root).values().stream().mapToInt(List::size).sum() >= DOCS);
      // and the manifest lists them, after a checkpoint completes
      Await.until(
          "the manifests to list every shard",
          Duration.ofSeconds(60),
          () -> DatasetFiles.manifestsComplete(root));
      Jobs.cancel(job);

      Map<Path, List<SelectedDocument>> shards = DatasetFiles.read(root);
      assertThat(DatasetFiles.assertListedOnceInManifests(shards))
          .allMatch(e -> e.checkpoint() > 0);
      List<String> rowIds = new ArrayList<>();
      shards.forEach(
          (shard, rows) -> {
            assertThat(shard.getFileName().toString()).startsWith("part-").endsWith(".parquet");
            for (SelectedDocument row : rows) {
              rowIds.add(row.getId());
              assertThat(root.relativize(shard.getParent()).toString())
                  .isEqualTo(PartitionPath.parse("target,date,hour", "test").of(row))
                  .matches("target=all/date=\\d{4}-\\d{2}-\\d{2}/hour=\\d{2}");
              assertThat(row).isEqualTo(selected.get(row.getId()));
            }
          });
      System.out.printf(
          "dataset: %d rows in %d finished shards under %s%n", rowIds.size(), shards.size(), root);
      assertThat(rowIds).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(ids);

      // a reader that is neither ours nor Java's sees the same rows
      List<JsonNode> foreign = readWithHyparquet(shards.keySet());
      assertThat(foreign).hasSize(DOCS);
      for (JsonNode row : foreign) {
        SelectedDocument s = selected.get(row.get("id").asText());
        assertThat(row.get("text").asText()).isEqualTo(s.getText());
        assertThat(row.get("target").asText()).isEqualTo(s.getTarget());
        assertThat(row.get("target_version").asInt()).isEqualTo(s.getTargetVersion());
        assertThat(row.get("similarity").asDouble()).isEqualTo(s.getSimilarity());
        assertThat(row.get("tokens").asInt()).isEqualTo(s.getTokens());
        List<Double> contributions = new ArrayList<>();
        row.get("layer_contributions").forEach(c -> contributions.add(c.asDouble()));
        assertThat(contributions).isEqualTo(s.getLayerContributions());
        assertThat(Instant.parse(row.get("selected_at").asText())).isEqualTo(s.getSelectedAt());
      }
    }
  }

  /** Every row of {@code shards} as hyparquet (pure JavaScript, run by Node) reads it. */
  private static List<JsonNode> readWithHyparquet(Iterable<Path> shards) throws Exception {
    Path tool = Path.of("tools/src/test/node/parquet-reader");
    assertThat(tool.resolve("node_modules/hyparquet"))
        .as("hyparquet: .ci/run installs it (npm ci --prefix tools/src/test/node/parquet-reader)")
        .exists();
    List<String> command = new ArrayList<>(List.of("node", tool.resolve("read.mjs").toString()));
    shards.forEach(p -> command.add(p.toString()));
    Process node = new ProcessBuilder(command).redirectErrorStream(false).start();
    String out = new String(node.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    String err = new String(node.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(node.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(node.exitValue()).as(err).isZero();
    ObjectMapper json = new ObjectMapper();
    List<JsonNode> rows = new ArrayList<>();
    for (String line : out.split("\n")) {
      if (!line.isBlank()) {
        rows.add(json.readTree(line));
      }
    }
    return rows;
  }
}
