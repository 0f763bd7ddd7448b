package io.nagselector.job;

import static io.nagselector.testutils.Accounting.assertAccountedOnce;
import static io.nagselector.testutils.KafkaClients.bytes;
import static io.nagselector.testutils.KafkaClients.producer;
import static io.nagselector.testutils.KafkaClients.readCommitted;
import static org.assertj.core.api.Assertions.assertThat;

import io.nagselector.avro.CrawlDocument;
import io.nagselector.avro.DeadLetter;
import io.nagselector.avro.DeadLetterReason;
import io.nagselector.avro.SelectedDocument;
import io.nagselector.broker.EmbeddedKafka;
import io.nagselector.config.FlinkSettings;
import io.nagselector.config.JobConfig;
import io.nagselector.extract.FeatureExtractor;
import io.nagselector.extract.SharedExtractor;
import io.nagselector.model.ExtractionResult;
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
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The extractor fails every 7th call and hangs forever on some documents: failures are retried with
 * backoff and succeed, hung documents time out and are dead-lettered; with restarts disabled the
 * job keeps running, and every document is accounted for exactly once.
 */
class ExtractorFaultsIT extends PipelineIT {
  @RegisterExtension static final Broker BROKER = new Broker();

  private static final AtomicInteger CALLS = new AtomicInteger();

  @TempDir Path dir;

  /** Fails every 7th call; never answers for ids starting with "hang-". */
  static final class Faulty implements FeatureExtractor {
    private final FeatureExtractor real;

    Faulty(FeatureExtractor real) {
      this.real = real;
    }

    @Override
    public CompletableFuture<ExtractionResult> extract(String docId, String text) {
      if (docId.startsWith("hang-")) {
        return new CompletableFuture<>();
      }
      if (CALLS.incrementAndGet() % 7 == 0) {
        return CompletableFuture.failedFuture(new IllegalStateException("injected failure"));
      }
      return real.extract(docId, text);
    }

    @Override
    public String fingerprint() {
      return real.fingerprint();
    }

    @Override
    public void close() {
      real.close();
    }
  }

  @Test
  void failuresAreRetriedHangsDeadLetteredAndTheJobNeverRestarts() throws Exception {
    Path model = TinyCheckpoint.decoder("qwen3", 51).write(dir.resolve("model"), "F32", 1);
    Random rnd = new Random(51);
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
                  "NAG_EXTRACTION_ASYNC_TIMEOUT", "3s",
                  "NAG_EXTRACTION_MAX_ATTEMPTS", "4",
                  "NAG_EXTRACTION_RETRY_BACKOFF", "50ms"));
      FeatureExtractor.Factory real = SharedExtractor.factory(SelectorApp.extractorSpec(config));
      FeatureExtractor.Factory faulty = () -> new Faulty(real.open());
      Configuration conf = FlinkSettings.defaults(config);
      conf.setString("restart-strategy.type", "none");
      var env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
      env.setParallelism(2);
      SelectorApp.assemble(env, config, SelectorApp.fingerprint(config), faulty);
      JobClient job = env.executeAsync("extractor-faults-it");
      upsertAllTarget(config, rnd);
      List<String> sent = new ArrayList<>();
      Set<String> texts = new HashSet<>();
      for (int i = 0; i < 200; i++) {
        String text;
        do {
          text = TinyCheckpoint.randomText(rnd, 4 + rnd.nextInt(8));
        } while (!texts.add(text));
        String id = (i % 40 == 0 ? "hang-" : "d") + i;
        CrawlDocument d = CrawlDocument.newBuilder().setId(id).setText(text).build();
        producer.send(new ProducerRecord<>("crawl", bytes(CrawlDocument.getEncoder().encode(d))));
        sent.add(id);
      }
      producer.flush();

      consumer.subscribe(List.of("selected", "dead-letters"));
      Map<String, Integer> accounted = new HashMap<>();
      Map<String, DeadLetterReason> reasons = new HashMap<>();
      long deadline = System.currentTimeMillis() + 120_000;
      while (accounted.size() < sent.size() && System.currentTimeMillis() < deadline) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(300))) {
          if (r.topic().equals("selected")) {
            accounted.merge(
                SelectedDocument.getDecoder().decode(r.value()).getId(), 1, Integer::sum);
          } else {
            DeadLetter d = DeadLetter.getDecoder().decode(r.value());
            accounted.merge(d.getDocId(), 1, Integer::sum);
            reasons.put(d.getDocId(), d.getReason());
          }
        }
      }
      Await.holdsFor(
          "the job keeps running",
          Duration.ofMillis(1500),
          () -> job.getJobStatus().get() == JobStatus.RUNNING);
      Jobs.cancel(job);

      assertAccountedOnce("extractor fails every 7th call, hangs", sent, accounted);
      // the hung documents timed out; every failed call was retried into a success
      assertThat(reasons)
          .containsOnlyKeys("hang-0", "hang-40", "hang-80", "hang-120", "hang-160")
          .allSatisfy(
              (id, reason) -> assertThat(reason).isEqualTo(DeadLetterReason.EXTRACTION_TIMEOUT));
      assertThat(CALLS.get()).isGreaterThan(195); // retries happened
    }
  }
}
