package io.nagselector.job;

import static io.nagselector.testutils.KafkaClients.bytes;
import static io.nagselector.testutils.KafkaClients.producer;
import static io.nagselector.testutils.KafkaClients.readCommitted;
import static org.assertj.core.api.Assertions.assertThat;

import io.nagselector.avro.CrawlDocument;
import io.nagselector.avro.SelectedDocument;
import io.nagselector.broker.EmbeddedKafka;
import io.nagselector.config.ConfigKeys;
import io.nagselector.config.FlinkSettings;
import io.nagselector.config.JobConfig;
import io.nagselector.config.KafkaClientConfig;
import io.nagselector.extract.FeatureExtractor;
import io.nagselector.extract.SharedExtractor;
import io.nagselector.kafka.TopicReader;
import io.nagselector.model.ExtractionResult;
import io.nagselector.model.TinyCheckpoint;
import io.nagselector.testutils.Broker;
import io.nagselector.testutils.Jobs;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A slow extractor (one document per 20 ms, one at a time) and a backlog of 1,000 documents of 20
 * KB (20 s of crawl) sent at once: the source slows down, the backlog stays in Kafka (the job's
 * committed offsets lag the topic by more than half of it mid-run), and nothing is dropped or timed
 * out.
 */
class BackPressureIT extends PipelineIT {
  @RegisterExtension static final Broker BROKER = new Broker();

  @TempDir Path dir;

  /** Delegates to the real extractor, releasing one result every 20 ms. */
  static final class Slow implements FeatureExtractor {
    // started from a task on first use: it must not keep that task's classloader, which Flink
    // closes when the job ends (ClosedClassLoaderThreads in later tests would find it)
    private static final ScheduledExecutorService CLOCK =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "back-pressure-it-clock");
              t.setDaemon(true);
              t.setContextClassLoader(Slow.class.getClassLoader());
              return t;
            });
    private static long nextFree;
    private final FeatureExtractor real;

    Slow(FeatureExtractor real) {
      this.real = real;
    }

    @Override
    public CompletableFuture<ExtractionResult> extract(String docId, String text) {
      ExtractionResult result = real.extract(docId, text).join();
      long delay;
      synchronized (Slow.class) {
        long now = System.nanoTime();
        nextFree = Math.max(nextFree, now) + TimeUnit.MILLISECONDS.toNanos(20);
        delay = nextFree - now;
      }
      CompletableFuture<ExtractionResult> out = new CompletableFuture<>();
      CLOCK.schedule(() -> out.complete(result), delay, TimeUnit.NANOSECONDS);
      return out;
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
  void aSlowExtractorSlowsTheSourceAndNothingIsDropped() throws Exception {
    Path model = TinyCheckpoint.decoder("qwen3", 41).write(dir.resolve("model"), "F32", 1);
    Random rnd = new Random(41);
    EmbeddedKafka kafka = BROKER.kafka();
    try (KafkaProducer<byte[], byte[]> producer = producer(kafka);
        KafkaConsumer<byte[], byte[]> consumer = readCommitted(kafka, "check");
        Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
      createJobTopics(kafka);
      JobConfig config =
          testConfig(kafka, model, dir, "500ms", Map.of("NAG_EXTRACTION_ASYNC_CAPACITY", "16"));
      FeatureExtractor.Factory real = SharedExtractor.factory(SelectorApp.extractorSpec(config));
      FeatureExtractor.Factory slow = () -> new Slow(real.open());
      var env = StreamExecutionEnvironment.getExecutionEnvironment(FlinkSettings.defaults(config));
      env.setParallelism(2);
      SelectorApp.assemble(env, config, SelectorApp.fingerprint(config), slow);
      JobClient job = env.executeAsync("back-pressure-it");
      upsertAllTarget(config, rnd);
      // 20 KB documents: Kafka's fetches (1 MB per partition) and Flink's 32 KB network buffers
      // then hold tens of them, not thousands, so a backlog can only wait in the topic
      int n = 1000;
      String filler = " " + "x".repeat(20_000);
      long start = System.currentTimeMillis() - n * 20L;
      Set<String> texts = new HashSet<>();
      for (int i = 0; i < n; i++) {
        String text;
        do {
          text = TinyCheckpoint.randomText(rnd, 4 + rnd.nextInt(8));
        } while (!texts.add(text));
        CrawlDocument d = CrawlDocument.newBuilder().setId("d" + i).setText(text + filler).build();
        // a backlog as a crawler wrote it, 50 documents a second (the last 20 s): the dedupe
        // holds a new text until the watermark passes it, so about dedupe.order.out-of-orderness
        // (1 s) of it, not all of it, waits in the job
        long stamped = start + i * 20L;
        producer.send(
            new ProducerRecord<>(
                "crawl", null, stamped, null, bytes(CrawlDocument.getEncoder().encode(d))));
      }
      producer.flush();

      consumer.subscribe(List.of("selected"));
      Map<String, Integer> seen = new HashMap<>();
      long maxLag = 0;
      long deadline = System.currentTimeMillis() + 120_000;
      while (seen.size() < n && System.currentTimeMillis() < deadline) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
          seen.merge(SelectedDocument.getDecoder().decode(r.value()).getId(), 1, Integer::sum);
        }
        if (seen.size() >= 100 && seen.size() < n - 100) { // mid-run, after checkpoints committed
          maxLag = Math.max(maxLag, lag(admin, config.get(ConfigKeys.KAFKA_GROUP_ID)));
        }
      }
      Jobs.cancel(job);

      System.out.printf(
          "slow extractor: %d selected of %d, largest source lag mid-run %d records%n",
          seen.size(), n, maxLag);
      // the source read ahead of the extractor by no more than Flink's buffers: most of the
      // backlog waited in Kafka, behind the job's committed offsets
      assertThat(maxLag).isGreaterThan(n / 2);
      assertThat(seen).hasSize(n);
      assertThat(seen.values()).allMatch(c -> c == 1);
      // nothing timed out or failed on the way: no dead letters
      int[] dead = {0};
      TopicReader.readAll(KafkaClientConfig.of(config), "dead-letters", r -> dead[0]++);
      assertThat(dead[0]).isZero();
    }
  }

  /** Records of the crawl topic past the job's committed offsets (committed at checkpoints). */
  private static long lag(Admin admin, String group) throws Exception {
    Map<TopicPartition, OffsetAndMetadata> committed =
        admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
    Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
    for (int p = 0; p < 2; p++) {
      latest.put(new TopicPartition("crawl", p), OffsetSpec.latest());
    }
    ListOffsetsResult ends = admin.listOffsets(latest);
    long lag = 0;
    for (TopicPartition tp : latest.keySet()) {
      OffsetAndMetadata c = committed.get(tp);
      if (c == null) {
        return 0; // no checkpoint has committed yet: no measurement
      }
      lag += ends.partitionResult(tp).get().offset() - c.offset();
    }
    return lag;
  }
}
