package io.nagselector.job;

import static io.nagselector.testutils.Accounting.pollAccounted;
import static io.nagselector.testutils.Accounting.pollAccountedToEnd;
import static io.nagselector.testutils.KafkaClients.bytes;
import static io.nagselector.testutils.KafkaClients.producer;
import static io.nagselector.testutils.KafkaClients.readCommitted;
import static org.assertj.core.api.Assertions.assertThat;

import io.nagselector.avro.CrawlDocument;
import io.nagselector.broker.EmbeddedKafka;
import io.nagselector.config.JobConfig;
import io.nagselector.model.TinyCheckpoint;
import io.nagselector.testutils.Broker;
import io.nagselector.testutils.Jobs;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
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
 * Stop with a savepoint mid-stream, keep producing, restart from the savepoint: a read_committed
 * consumer sees every selected document exactly once (offsets, dedupe state, targets and open
 * transactions all restored).
 */
class SavepointRestartIT extends PipelineIT {
  @RegisterExtension static final Broker BROKER = new Broker();

  @TempDir Path dir;

  @Test
  void everySelectedDocumentIsSeenExactlyOnceAcrossAStopWithSavepointAndARestore()
      throws Exception {
    Path model = TinyCheckpoint.decoder("smollm3", 6).write(dir.resolve("model"), "F32", 1);
    Random rnd = new Random(8);
    EmbeddedKafka kafka = BROKER.kafka();
    try (KafkaProducer<byte[], byte[]> producer = producer(kafka);
        KafkaConsumer<byte[], byte[]> consumer = readCommitted(kafka, "check")) {
      createJobTopics(kafka);
      JobConfig config = testConfig(kafka, model, dir, "300ms");
      JobClient first = startJob(config, null);
      upsertAllTarget(config, rnd);
      for (int i = 0; i < 150; i++) {
        send(producer, "a" + i, rnd);
      }
      producer.flush();
      consumer.subscribe(List.of("selected"));
      Map<String, Integer> seen = new HashMap<>();
      pollAccounted(consumer, seen, 40, Duration.ofSeconds(60));
      String savepoint =
          first
              .stopWithSavepoint(
                  false,
                  dir.resolve("savepoints").toUri().toString(),
                  SavepointFormatType.CANONICAL)
              .get();
      for (int i = 0; i < 150; i++) {
        send(producer, "b" + i, rnd);
      }
      producer.flush();
      JobClient second = startJob(config, savepoint);
      pollAccounted(consumer, seen, 300, Duration.ofSeconds(90));
      Jobs.cancel(second);
      pollAccountedToEnd(consumer, seen); // anything read twice would show up now

      assertThat(seen).hasSize(300);
      assertThat(seen.values()).allMatch(count -> count == 1);
    }
  }

  private static void send(KafkaProducer<byte[], byte[]> producer, String id, Random rnd)
      throws Exception {
    CrawlDocument d =
        CrawlDocument.newBuilder()
            .setId(id)
            .setText(TinyCheckpoint.randomText(rnd, 3 + rnd.nextInt(8)))
            .build();
    producer.send(new ProducerRecord<>("crawl", null, bytes(CrawlDocument.getEncoder().encode(d))));
  }
}
