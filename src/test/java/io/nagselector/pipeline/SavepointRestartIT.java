package io.nagselector.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.nagselector.avro.CommandType;
import io.nagselector.avro.CrawlDocument;
import io.nagselector.avro.PolicyKind;
import io.nagselector.avro.SelectedDocument;
import io.nagselector.avro.TargetCommand;
import io.nagselector.avro.TargetPolicy;
import io.nagselector.kafka.EmbeddedKafka;
import io.nagselector.model.TinyCheckpoint;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Stop with a savepoint mid-stream, keep producing, restart from the savepoint: a read_committed
 * consumer sees every selected document exactly once (offsets, dedupe state, targets and open
 * transactions all restored).
 */
class SavepointRestartIT extends PipelineIT {
  @TempDir Path dir;

  @Test
  void everySelectedDocumentIsSeenExactlyOnceAcrossAStopWithSavepointAndARestore()
      throws Exception {
    Path model = TinyCheckpoint.decoder("smollm3", 6).write(dir.resolve("model"), "F32", 1);
    Random rnd = new Random(8);
    try (EmbeddedKafka kafka = EmbeddedKafka.start();
        KafkaProducer<byte[], byte[]> producer = producer(kafka);
        KafkaConsumer<byte[], byte[]> consumer = readCommitted(kafka, "check")) {
      createJobTopics(kafka);
      JobConfig config = testConfig(kafka, model, dir, "300ms");
      TargetCommand upsert =
          TargetCommand.newBuilder()
              .setCommandId("c1")
              .setType(CommandType.UPSERT)
              .setTarget("all")
              .setExampleTexts(List.of(TinyCheckpoint.randomText(rnd, 6)))
              .setPolicy(new TargetPolicy(PolicyKind.THRESHOLD, 0.0))
              .build();
      producer.send(
          new ProducerRecord<>("control", null, bytes(TargetCommand.getEncoder().encode(upsert))));
      producer.flush();
      JobClient first = startJob(config, null);
      Thread.sleep(4000);
      for (int i = 0; i < 150; i++) {
        send(producer, "a" + i, rnd);
      }
      producer.flush();
      consumer.subscribe(List.of("selected"));
      Map<String, Integer> seen = new HashMap<>();
      poll(consumer, seen, 40, Duration.ofSeconds(60));
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
      poll(consumer, seen, 300, Duration.ofSeconds(90));
      Thread.sleep(2000);
      poll(consumer, seen, Integer.MAX_VALUE, Duration.ofSeconds(2));
      second.cancel().get();

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

  private static void poll(
      KafkaConsumer<byte[], byte[]> consumer, Map<String, Integer> seen, int until, Duration max)
      throws Exception {
    long deadline = System.currentTimeMillis() + max.toMillis();
    while (seen.size() < until && System.currentTimeMillis() < deadline) {
      for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(300))) {
        seen.merge(SelectedDocument.getDecoder().decode(r.value()).getId(), 1, Integer::sum);
      }
    }
  }
}
