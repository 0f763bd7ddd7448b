package io.nagselector.job;

import static io.nagselector.testutils.Accounting.assertAccountedOnce;
import static io.nagselector.testutils.Accounting.pollAccounted;
import static io.nagselector.testutils.Accounting.pollAccountedToEnd;
import static io.nagselector.testutils.KafkaClients.bytes;
import static io.nagselector.testutils.KafkaClients.producer;
import static io.nagselector.testutils.KafkaClients.readCommitted;
import static org.assertj.core.api.Assertions.assertThat;

import io.nagselector.avro.CrawlDocument;
import io.nagselector.avro.SelectedDocument;
import io.nagselector.broker.EmbeddedKafka;
import io.nagselector.config.JobConfig;
import io.nagselector.model.TinyCheckpoint;
import io.nagselector.testutils.Broker;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Stop with a savepoint and restore at another parallelism, 2 → 1 → 2, documents flowing in
 * between: the target registry, the dedupe state, the offsets and the selection state redistribute,
 * and every input document is accounted for exactly once — selected, skipped as a duplicate, or
 * dead-lettered; and the Parquet dataset holds each selection once.
 */
class RescaleIT extends PipelineIT {
  @RegisterExtension static final Broker BROKER = new Broker();

  @TempDir Path dir;

  private final Random rnd = new Random(12);
  private final Map<String, String> texts = new LinkedHashMap<>();
  private final List<String> sent = new ArrayList<>();

  private void send(KafkaProducer<byte[], byte[]> producer, String id, String text)
      throws Exception {
    CrawlDocument d = CrawlDocument.newBuilder().setId(id).setText(text).build();
    producer.send(new ProducerRecord<>("crawl", null, bytes(CrawlDocument.getEncoder().encode(d))));
    sent.add(id);
  }

  /**
   * {@code n} new documents, {@code empty} without text, and copies of earlier texts under new ids.
   */
  private void phase(
      KafkaProducer<byte[], byte[]> producer, String prefix, int n, List<String> copiesOf)
      throws Exception {
    for (int i = 0; i < n; i++) {
      String text;
      do {
        text = TinyCheckpoint.randomText(rnd, 4 + rnd.nextInt(8));
      } while (texts.containsValue(text));
      texts.put(prefix + i, text);
      send(producer, prefix + i, text);
    }
    for (String original : copiesOf) {
      send(producer, "copy-of-" + original, texts.get(original));
    }
    for (int i = 0; i < 5; i++) {
      send(producer, "empty-" + prefix + i, "   ");
    }
    producer.flush();
  }

  @Test
  void everyDocumentIsAccountedForOnceAcrossRescales() throws Exception {
    Path model = TinyCheckpoint.decoder("qwen2", 13).write(dir.resolve("model"), "F32", 1);
    EmbeddedKafka kafka = BROKER.kafka();
    try (KafkaProducer<byte[], byte[]> producer = producer(kafka);
        KafkaConsumer<byte[], byte[]> consumer = readCommitted(kafka, "check")) {
      createJobTopics(kafka, "duplicates");
      Path dataset = dir.resolve("dataset");
      JobConfig config =
          testConfig(
              kafka,
              model,
              dir,
              "300ms",
              Map.of(
                  "NAG_KAFKA_TOPICS_DUPLICATES",
                  "duplicates",
                  "NAG_DATASET_PATH",
                  dataset.toUri().toString()));
      consumer.subscribe(List.of("selected", "duplicates", "dead-letters"));
      Map<String, Integer> accounted = new HashMap<>();
      String savepoints = dir.resolve("savepoints").toUri().toString();

      JobClient job = startJob(config, null, 2);
      upsertAllTarget(config, rnd);
      phase(producer, "a", 100, List.of());
      pollAccounted(consumer, accounted, 105, Duration.ofSeconds(60));
      String first = job.stopWithSavepoint(false, savepoints, SavepointFormatType.CANONICAL).get();
      phase(producer, "b", 100, List.of("a1", "a2", "a3", "a4", "a5"));

      job = startJob(config, first, 1);
      pollAccounted(consumer, accounted, 215, Duration.ofSeconds(90));
      String second = job.stopWithSavepoint(false, savepoints, SavepointFormatType.CANONICAL).get();
      phase(producer, "c", 100, List.of("a6", "a7", "b1", "b2", "b3"));

      job = startJob(config, second, 2);
      pollAccounted(consumer, accounted, sent.size(), Duration.ofSeconds(90));
      // a last savepoint commits the last shards as it commits the last selections
      job.stopWithSavepoint(false, savepoints, SavepointFormatType.CANONICAL).get();
      pollAccountedToEnd(consumer, accounted); // anything read twice would show up now

      assertAccountedOnce("savepoint, rescale 2 -> 1 -> 2", sent, accounted);
      assertThat(accounted.keySet()).containsExactlyInAnyOrderElementsOf(sent);
      // the dataset across the three runs: each selection a row of exactly one finished shard
      List<String> rows = new ArrayList<>();
      DatasetFiles.read(dataset).values().forEach(r -> r.forEach(d -> rows.add(d.getId())));
      List<String> selected = new ArrayList<>();
      try (KafkaConsumer<byte[], byte[]> again = readCommitted(kafka, "check-dataset")) {
        again.subscribe(List.of("selected"));
        for (int quiet = 0; quiet < 5; ) {
          var records = again.poll(Duration.ofMillis(300));
          quiet = records.isEmpty() ? quiet + 1 : 0;
          records.forEach(
              r -> {
                try {
                  selected.add(SelectedDocument.getDecoder().decode(r.value()).getId());
                } catch (IOException e) {
                  throw new UncheckedIOException(e);
                }
              });
        }
      }
      System.out.printf(
          "dataset after rescales: %d rows, %d selected%n", rows.size(), selected.size());
      assertThat(rows).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(selected);
      // and every shard is in its manifest once the last savepoint's stop has returned
      assertThat(DatasetFiles.manifestsComplete(dataset)).isTrue();
      // three runs ended, their classloaders closed: no thread any of them started (the Kafka
      // clients', the model's batcher, the file sink's and the manifest's on file://) keeps one
      assertThat(ClosedClassLoaderThreads.awaitNone(Duration.ofSeconds(10)))
          .as("threads holding a closed classloader after three runs")
          .isEmpty();
    }
  }
}
