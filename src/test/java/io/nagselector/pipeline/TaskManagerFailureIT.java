package io.nagselector.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.nagselector.avro.CommandType;
import io.nagselector.avro.CrawlDocument;
import io.nagselector.avro.DeadLetter;
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
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.streaming.util.TestStreamEnvironment;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A TaskManager dies mid-stream (terminated through the MiniCluster; a new one joins): the job
 * restarts from its last checkpoint by itself, and every input document is accounted for exactly
 * once in what consumers see with read_committed.
 */
class TaskManagerFailureIT {
  @TempDir Path dir;

  @Test
  void theJobRecoversFromALostTaskManagerWithNothingLostOrDuplicated() throws Exception {
    Path model = TinyCheckpoint.decoder("llama", 21).write(dir.resolve("model"), "F32", 1);
    Random rnd = new Random(21);
    try (EmbeddedKafka kafka = EmbeddedKafka.start();
        KafkaProducer<byte[], byte[]> producer = PipelineIT.producer(kafka);
        KafkaConsumer<byte[], byte[]> consumer = PipelineIT.readCommitted(kafka, "check")) {
      PipelineIT.createJobTopics(kafka);
      JobConfig config = PipelineIT.testConfig(kafka, model, dir, "300ms");
      Configuration conf = SelectorApp.flinkConfiguration(config);
      conf.setString("restart-strategy.type", "fixed-delay");
      conf.setString("restart-strategy.fixed-delay.attempts", "20");
      conf.setString("restart-strategy.fixed-delay.delay", "1 s");
      try (MiniCluster cluster =
          new MiniCluster(
              new MiniClusterConfiguration.Builder()
                  .setConfiguration(conf)
                  .setNumTaskManagers(2)
                  .setNumSlotsPerTaskManager(1)
                  .build())) {
        cluster.start();
        TestStreamEnvironment env = new TestStreamEnvironment(cluster, 2);
        env.configure(conf);
        SelectorApp.assemble(env, config, SelectorApp.fingerprint(config));
        TargetCommand upsert =
            TargetCommand.newBuilder()
                .setCommandId("c1")
                .setType(CommandType.UPSERT)
                .setTarget("all")
                .setExampleTexts(List.of(TinyCheckpoint.randomText(rnd, 6)))
                .setPolicy(new TargetPolicy(PolicyKind.THRESHOLD, 0.0))
                .build();
        producer.send(
            new ProducerRecord<>(
                "control", PipelineIT.bytes(TargetCommand.getEncoder().encode(upsert))));
        producer.flush();
        JobClient job = env.executeAsync("task-manager-failure-it");
        Thread.sleep(4000);

        List<String> sent = new ArrayList<>();
        Set<String> texts = new HashSet<>();
        send(producer, "a", 200, sent, texts, rnd);
        consumer.subscribe(List.of("selected", "dead-letters"));
        Map<String, Integer> accounted = new HashMap<>();
        poll(consumer, accounted, 60, Duration.ofSeconds(60));
        cluster.terminateTaskManager(0).get();
        cluster.startTaskManager();
        send(producer, "b", 200, sent, texts, rnd);
        poll(consumer, accounted, sent.size(), Duration.ofSeconds(120));
        Thread.sleep(2000);
        poll(consumer, accounted, Integer.MAX_VALUE, Duration.ofSeconds(2));
        // the job did fail over: its exception history names the lost TaskManager
        String history =
            java.net.http.HttpClient.newHttpClient()
                .send(
                    java.net.http.HttpRequest.newBuilder(
                            cluster
                                .getRestAddress()
                                .get()
                                .resolve("/jobs/" + job.getJobID() + "/exceptions"))
                        .build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString())
                .body();
        assertThat(history).contains("\"exceptionHistory\"").containsPattern("\"entries\":\\[\\{");
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
            "a TaskManager killed mid-stream",
            sent.size(),
            accounted.size(),
            lost,
            duplicated);
        assertThat(lost).isZero();
        assertThat(duplicated).isZero();
      }
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
      producer.send(
          new ProducerRecord<>("crawl", PipelineIT.bytes(CrawlDocument.getEncoder().encode(d))));
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
        String id =
            r.topic().equals("selected")
                ? SelectedDocument.getDecoder().decode(r.value()).getId()
                : DeadLetter.getDecoder().decode(r.value()).getDocId();
        seen.merge(id, 1, Integer::sum);
      }
    }
  }
}
