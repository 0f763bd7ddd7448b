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
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.flink.core.execution.JobClient;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Targets changed while the stream runs: a REMOVE stops a target, an UPSERT makes a new version.
 */
class RetargetingIT extends PipelineIT {
  @TempDir Path dir;

  private static byte[] upsert(String id, String target, Random rnd) throws Exception {
    return bytes(
        TargetCommand.getEncoder()
            .encode(
                TargetCommand.newBuilder()
                    .setCommandId(id)
                    .setType(CommandType.UPSERT)
                    .setTarget(target)
                    .setExampleTexts(List.of(TinyCheckpoint.randomText(rnd, 6)))
                    .setPolicy(new TargetPolicy(PolicyKind.THRESHOLD, 0.0))
                    .build()));
  }

  private static void documents(KafkaProducer<byte[], byte[]> producer, String prefix, Random rnd)
      throws Exception {
    for (int i = 0; i < 40; i++) {
      CrawlDocument d =
          CrawlDocument.newBuilder()
              .setId(prefix + i)
              .setText(TinyCheckpoint.randomText(rnd, 4))
              .build();
      producer.send(
          new ProducerRecord<>("crawl", null, bytes(CrawlDocument.getEncoder().encode(d))));
    }
    producer.flush();
  }

  /** Polls until {@code until} records or {@code max} time. */
  private static void poll(
      KafkaConsumer<byte[], byte[]> consumer, List<SelectedDocument> out, int until, Duration max) {
    long deadline = System.currentTimeMillis() + max.toMillis();
    while (out.size() < until && System.currentTimeMillis() < deadline) {
      for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(300))) {
        try {
          out.add(SelectedDocument.getDecoder().decode(r.value()));
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      }
    }
  }

  @Test
  void removeStopsATargetAndUpsertStartsItsNextVersion() throws Exception {
    Path model = TinyCheckpoint.decoder("qwen3", 12).write(dir.resolve("model"), "F32", 1);
    Random rnd = new Random(1);
    try (EmbeddedKafka kafka = EmbeddedKafka.start();
        KafkaProducer<byte[], byte[]> producer = producer(kafka);
        KafkaConsumer<byte[], byte[]> consumer = readCommitted(kafka, "check")) {
      createJobTopics(kafka);
      JobConfig config = testConfig(kafka, model, dir, "300ms");
      JobClient job = startJob(config, null);
      consumer.subscribe(List.of("selected"));
      List<SelectedDocument> selected = new ArrayList<>();

      producer.send(new ProducerRecord<>("control", null, upsert("c1", "a", rnd)));
      producer.send(new ProducerRecord<>("control", null, upsert("c2", "b", rnd)));
      producer.flush();
      Thread.sleep(4000);
      documents(producer, "first-", rnd);
      poll(consumer, selected, 80, Duration.ofSeconds(60));

      TargetCommand remove =
          TargetCommand.newBuilder()
              .setCommandId("c3")
              .setType(CommandType.REMOVE)
              .setTarget("a")
              .build();
      producer.send(
          new ProducerRecord<>("control", null, bytes(TargetCommand.getEncoder().encode(remove))));
      producer.send(new ProducerRecord<>("control", null, upsert("c4", "b", rnd)));
      producer.flush();
      Thread.sleep(3000);
      documents(producer, "second-", rnd);
      poll(consumer, selected, 120, Duration.ofSeconds(60));
      poll(consumer, selected, Integer.MAX_VALUE, Duration.ofSeconds(2)); // nothing more may come
      job.cancel().get();

      List<String> a =
          selected.stream()
              .filter(s -> s.getTarget().equals("a"))
              .map(SelectedDocument::getId)
              .toList();
      assertThat(a).hasSize(40).allMatch(id -> id.startsWith("first-"));
      List<SelectedDocument> b = selected.stream().filter(s -> s.getTarget().equals("b")).toList();
      assertThat(b).hasSize(80);
      assertThat(b)
          .filteredOn(s -> s.getId().startsWith("first-"))
          .allMatch(s -> s.getTargetVersion() == 1);
      assertThat(b)
          .filteredOn(s -> s.getId().startsWith("second-"))
          .hasSize(40)
          .allMatch(s -> s.getTargetVersion() == 2);
    }
  }
}
