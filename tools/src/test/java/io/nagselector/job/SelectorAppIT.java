package io.nagselector.job;

import static io.nagselector.testutils.KafkaClients.bytes;
import static io.nagselector.testutils.KafkaClients.producer;
import static io.nagselector.testutils.KafkaClients.readCommitted;
import static org.assertj.core.api.Assertions.assertThat;

import io.nagselector.avro.CrawlDocument;
import io.nagselector.avro.DocumentFeature;
import io.nagselector.avro.DuplicateDocument;
import io.nagselector.avro.SelectedDocument;
import io.nagselector.broker.EmbeddedKafka;
import io.nagselector.config.JobConfig;
import io.nagselector.model.TinyCheckpoint;
import io.nagselector.testutils.Broker;
import io.nagselector.testutils.Jobs;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.flink.core.execution.JobClient;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The job as `run` assembles it from config: RocksDB, checkpoints, the configured topics. */
class SelectorAppIT extends PipelineIT {
  @RegisterExtension static final Broker BROKER = new Broker();

  @TempDir Path dir;

  @Test
  void theConfiguredJobSelectsWithRocksDbState() throws Exception {
    Path model = TinyCheckpoint.decoder("llama", 4).write(dir.resolve("model"), "F32", 1);
    EmbeddedKafka kafka = BROKER.kafka();
    createJobTopics(kafka, "features", "duplicates");
    JobConfig config =
        testConfig(
            kafka,
            model,
            dir,
            "500ms",
            Map.of(
                "NAG_KAFKA_TOPICS_FEATURES", "features",
                "NAG_KAFKA_TOPICS_DUPLICATES", "duplicates"));
    JobClient job = startJob(config, null);

    Random rnd = new Random(3);
    try (KafkaProducer<byte[], byte[]> producer = producer(kafka)) {
      upsertAllTarget(config, rnd);
      for (int i = 0; i < 30; i++) {
        CrawlDocument d =
            CrawlDocument.newBuilder()
                .setId("d" + i)
                .setText(TinyCheckpoint.randomText(rnd, 5))
                .build();
        producer.send(
            new ProducerRecord<>("crawl", null, bytes(CrawlDocument.getEncoder().encode(d))));
        if (i % 10 == 0) { // the same text again under another id
          d.setId("copy-of-d" + i);
          producer.send(
              new ProducerRecord<>("crawl", null, bytes(CrawlDocument.getEncoder().encode(d))));
        }
      }
    }
    List<String> ids = new ArrayList<>();
    List<DocumentFeature> features = new ArrayList<>();
    List<String> duplicates = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> consumer = readCommitted(kafka, "check")) {
      consumer.subscribe(List.of("selected", "features", "duplicates"));
      long deadline = System.currentTimeMillis() + 90_000;
      while ((ids.size() < 30 || features.size() < 30 || duplicates.size() < 3)
          && System.currentTimeMillis() < deadline) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
          if (r.topic().equals("selected")) {
            ids.add(SelectedDocument.getDecoder().decode(r.value()).getId());
          } else if (r.topic().equals("duplicates")) {
            duplicates.add(DuplicateDocument.getDecoder().decode(r.value()).getDocument().getId());
          } else {
            features.add(DocumentFeature.getDecoder().decode(r.value()));
          }
        }
      }
    }
    Jobs.cancel(job);
    // threshold 0 accepts every document, each exactly once; the copies are only duplicates
    assertThat(ids).hasSize(30).doesNotHaveDuplicates();
    assertThat(duplicates).containsExactlyInAnyOrder("copy-of-d0", "copy-of-d10", "copy-of-d20");
    // every extracted document's feature went to the features topic: 3 layers x K=4
    assertThat(features).hasSize(30).allMatch(f -> f.getFeature().size() == 12);
    assertThat(features)
        .allMatch(f -> f.getModelFingerprint().equals(SelectorApp.fingerprint(config)));
  }
}
