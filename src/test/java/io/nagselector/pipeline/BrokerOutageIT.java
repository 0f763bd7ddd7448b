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
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.apache.flink.core.execution.JobClient;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The broker stops for 20 seconds mid-stream and comes back: the job recovers without anyone's help
 * (Kafka clients retry, and a failed checkpoint or transaction restarts it from the last one), and
 * every document is selected exactly once.
 */
class BrokerOutageIT extends PipelineIT {
  @TempDir Path dir;

  @Test
  void theJobRecoversFromABrokerOutage() throws Exception {
    Path model = TinyCheckpoint.decoder("qwen3", 31).write(dir.resolve("model"), "F32", 1);
    Random rnd = new Random(31);
    try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
      createJobTopics(kafka);
      JobConfig config = testConfig(kafka, model, dir, "300ms");
      List<String> sent = new ArrayList<>();
      Set<String> texts = new HashSet<>();
      Map<String, Integer> accounted = new HashMap<>();
      JobClient job;
      try (KafkaProducer<byte[], byte[]> producer = producer(kafka)) {
        TargetCommand upsert =
            TargetCommand.newBuilder()
                .setCommandId("c1")
                .setType(CommandType.UPSERT)
                .setTarget("all")
                .setExampleTexts(List.of(TinyCheckpoint.randomText(rnd, 6)))
                .setPolicy(new TargetPolicy(PolicyKind.THRESHOLD, 0.0))
                .build();
        producer.send(
            new ProducerRecord<>("control", bytes(TargetCommand.getEncoder().encode(upsert))));
        producer.flush();
        job = startJob(config, null);
        Thread.sleep(4000);
        send(producer, "a", 150, sent, texts, rnd);
      }
      try (KafkaConsumer<byte[], byte[]> consumer = readCommitted(kafka, "before")) {
        consumer.subscribe(List.of("selected"));
        poll(consumer, accounted, 40, Duration.ofSeconds(60));
      }
      kafka.stop();
      Thread.sleep(20_000);
      kafka.restart();
      try (KafkaProducer<byte[], byte[]> producer = producer(kafka)) {
        send(producer, "b", 150, sent, texts, rnd);
      }
      accounted.clear(); // read everything again from the beginning, after the outage
      try (KafkaConsumer<byte[], byte[]> consumer = readCommitted(kafka, "after")) {
        consumer.subscribe(List.of("selected"));
        poll(consumer, accounted, sent.size(), Duration.ofSeconds(180));
        Thread.sleep(2000);
        poll(consumer, accounted, Integer.MAX_VALUE, Duration.ofSeconds(2));
      }
      job.cancel().get();

      long lost = sent.stream().filter(id -> !accounted.containsKey(id)).count();
      long duplicated = accounted.values().stream().filter(n -> n > 1).count();
      System.out.printf(
          "%-40s %6s %10s %5s %11s%n%-40s %6d %10d %5d %11d%n",
          "fault",
          "in",
          "accounted",
          "lost",
          "duplicated",
          "the broker down for 20 s",
          sent.size(),
          accounted.size(),
          lost,
          duplicated);
      assertThat(lost).isZero();
      assertThat(duplicated).isZero();
    }
  }

  private static void send(
      KafkaProducer<byte[], byte[]> producer,
      String prefix,
      int n,
      List<String> sent,
      Set<String> texts,
      Random rnd)
      throws Exception {
    for (int i = 0; i < n; i++) {
      String text;
      do {
        text = TinyCheckpoint.randomText(rnd, 4 + rnd.nextInt(8));
      } while (!texts.add(text));
      CrawlDocument d = CrawlDocument.newBuilder().setId(prefix + i).setText(text).build();
      producer.send(new ProducerRecord<>("crawl", bytes(CrawlDocument.getEncoder().encode(d))));
      sent.add(prefix + i);
    }
    producer.flush();
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
