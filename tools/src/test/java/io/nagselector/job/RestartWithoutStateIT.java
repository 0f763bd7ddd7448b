package io.nagselector.job;

import static io.nagselector.testutils.Accounting.assertAccountedOnce;
import static io.nagselector.testutils.Accounting.pollAccounted;
import static io.nagselector.testutils.Accounting.pollAccountedToEnd;
import static io.nagselector.testutils.KafkaClients.bytes;
import static io.nagselector.testutils.KafkaClients.producer;
import static io.nagselector.testutils.KafkaClients.readCommitted;
import static org.assertj.core.api.Assertions.assertThat;

import io.nagselector.avro.ControlEvent;
import io.nagselector.avro.CrawlDocument;
import io.nagselector.avro.SelectedDocument;
import io.nagselector.broker.EmbeddedKafka;
import io.nagselector.control.ReplayAnnouncement;
import io.nagselector.model.TinyCheckpoint;
import io.nagselector.testutils.Await;
import io.nagselector.testutils.Broker;
import io.nagselector.testutils.Jobs;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.Set;
import org.apache.flink.core.execution.JobClient;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The job is cancelled and started again without any state (a new checkpoint directory, no
 * savepoint): it replays the control topic into the same registry, resumes the crawl topic from the
 * offsets committed at its last checkpoint, and every document is accounted for exactly once over
 * both runs — scored (the features topic), skipped as a duplicate, or dead-lettered — with no
 * document selected twice.
 */
class RestartWithoutStateIT extends PipelineIT {
  @RegisterExtension static final Broker BROKER = new Broker();

  @TempDir Path dir;

  @Test
  void aRestartWithoutStateRebuildsTheRegistryAndAnswersEachDocumentOnce() throws Exception {
    Path model = TinyCheckpoint.decoder("qwen3", 21).write(dir.resolve("model"), "F32", 1);
    Random rnd = new Random(21);
    EmbeddedKafka kafka = BROKER.kafka();
    try (KafkaProducer<byte[], byte[]> producer = producer(kafka);
        KafkaConsumer<byte[], byte[]> consumer = readCommitted(kafka, "check");
        KafkaConsumer<byte[], byte[]> selectedConsumer = readCommitted(kafka, "selected-check");
        KafkaConsumer<byte[], byte[]> events = readCommitted(kafka, "events-check")) {
      createJobTopics(kafka, "features", "duplicates");
      Map<String, String> topics =
          Map.of(
              "NAG_KAFKA_TOPICS_FEATURES", "features", "NAG_KAFKA_TOPICS_DUPLICATES", "duplicates");
      consumer.subscribe(List.of("features", "duplicates", "dead-letters"));
      selectedConsumer.subscribe(List.of("selected"));
      events.subscribe(List.of("control-events"));
      sendAllTarget(producer, rnd);
      Set<String> texts = new HashSet<>();
      List<String> sent = new ArrayList<>();
      Map<String, Integer> accounted = new HashMap<>();

      JobClient first = startJob(testConfig(kafka, model, dir.resolve("a"), "300ms", topics), null);
      List<String> firstAnswers = answers(events, 1);
      sent.addAll(sendDocs(producer, "a", 100, texts, rnd));
      sent.addAll(sendEmpty(producer, "a-empty", 5));
      pollAccounted(consumer, accounted, sent.size(), Duration.ofSeconds(60));
      awaitCommitted(kafka, "nag-selector", sent.size()); // a checkpoint has completed
      Jobs.cancel(first);

      sent.addAll(sendDocs(producer, "b", 100, texts, rnd));
      sent.addAll(sendEmpty(producer, "b-empty", 5));
      JobClient second =
          startJob(testConfig(kafka, model, dir.resolve("b"), "300ms", topics), null);
      List<String> secondAnswers = answers(events, 1);
      pollAccounted(consumer, accounted, sent.size(), Duration.ofSeconds(90));
      Jobs.cancel(second);
      pollAccountedToEnd(consumer, accounted); // anything read twice would show up now

      assertThat(secondAnswers).isEqualTo(firstAnswers).containsExactly("all APPLIED 1");
      assertAccountedOnce("restart without state, control replayed", sent, accounted);
      Map<String, Integer> selected = new HashMap<>();
      long quietSince = System.currentTimeMillis();
      while (System.currentTimeMillis() - quietSince < 3000) {
        for (ConsumerRecord<byte[], byte[]> r : selectedConsumer.poll(Duration.ofMillis(300))) {
          selected.merge(SelectedDocument.getDecoder().decode(r.value()).getId(), 1, Integer::sum);
          quietSince = System.currentTimeMillis();
        }
      }
      assertThat(selected).isNotEmpty();
      assertThat(selected.values()).allMatch(n -> n == 1);
    }
  }

  private static List<String> sendEmpty(
      KafkaProducer<byte[], byte[]> producer, String prefix, int n) throws Exception {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      CrawlDocument d = CrawlDocument.newBuilder().setId(prefix + i).setText("  ").build();
      producer.send(new ProducerRecord<>("crawl", bytes(CrawlDocument.getEncoder().encode(d))));
      ids.add(prefix + i);
    }
    producer.flush();
    return ids;
  }

  /** Waits until {@code group} has committed offsets covering {@code records} crawl records. */
  private static void awaitCommitted(EmbeddedKafka kafka, String group, long records)
      throws Exception {
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
      Await.until(
          "crawl offsets committed by " + group + " to reach " + records,
          Duration.ofSeconds(60),
          () ->
              admin
                      .listConsumerGroupOffsets(group)
                      .partitionsToOffsetAndMetadata()
                      .get()
                      .values()
                      .stream()
                      .filter(Objects::nonNull)
                      .mapToLong(OffsetAndMetadata::offset)
                      .sum()
                  == records);
    }
  }

  /** The next {@code count} control events as "target status version". */
  private static List<String> answers(KafkaConsumer<byte[], byte[]> events, int count)
      throws Exception {
    List<String> out = new ArrayList<>();
    long deadline = System.currentTimeMillis() + 60_000;
    while (out.size() < count && System.currentTimeMillis() < deadline) {
      for (ConsumerRecord<byte[], byte[]> r : events.poll(Duration.ofMillis(300))) {
        ControlEvent e = ControlEvent.getDecoder().decode(r.value());
        if (!ReplayAnnouncement.is(e)) { // answers no command (ReplayBeforeScoringIT checks it)
          out.add(e.getTarget() + " " + e.getStatus() + " " + e.getVersion());
        }
      }
    }
    return out;
  }
}
