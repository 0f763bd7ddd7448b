package io.nagselector.cli;

import io.nagselector.avro.CommandType;
import io.nagselector.avro.CrawlDocument;
import io.nagselector.avro.PolicyKind;
import io.nagselector.avro.TargetCommand;
import io.nagselector.avro.TargetPolicy;
import io.nagselector.kafka.EmbeddedKafka;
import io.nagselector.model.ExtractionResult;
import io.nagselector.pipeline.FeatureExtractor;
import io.nagselector.pipeline.JobConfig;
import io.nagselector.pipeline.SelectorApp;
import io.nagselector.pipeline.SharedExtractor;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code bench pipeline}: the whole job against the bare extractor on the same documents. */
@Command(
    name = "pipeline",
    mixinStandardHelpOptions = true,
    showDefaultValues = true,
    description = {
      "Run the whole job (embedded Kafka broker, local MiniCluster, RocksDB, exactly-once sinks) and",
      "the bare extractor on the same documents; print both docs/s and the ratio (goal: >= 90%)."
    })
final class BenchPipelineCommand implements Callable<Integer> {
  private static final String[] WORDS =
      ("the of and to in is was for on that with as by at from energy light water cell protein star "
              + "planet recipe butter flour oven team match goal season court contract market price "
              + "function code data system model river mountain city history war music art science")
          .split(" ");

  @Spec CommandSpec spec;

  @Option(names = "--model", defaultValue = "default")
  String model;

  @Option(names = "--docs", defaultValue = "2000")
  int docs;

  @Override
  public Integer call() throws Exception {
    Threads.configure(null);
    List<String> texts = new ArrayList<>();
    SplittableRandom rnd = new SplittableRandom(5);
    for (int i = 0; i < docs; i++) {
      StringBuilder s = new StringBuilder();
      for (int w = 0, n = 5 + rnd.nextInt(146); w < n; w++) {
        s.append(w == 0 ? "" : " ").append(WORDS[rnd.nextInt(WORDS.length)]);
      }
      texts.add(i + " " + s);
    }
    Path work = Files.createTempDirectory("nag-bench-pipeline");
    var out = spec.commandLine().getOut();
    try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
      kafka.createTopics(
          Map.of("crawl", 2, "control", 1, "selected", 1, "dead-letters", 1, "top-k", 1),
          List.of("top-k"));
      JobConfig config =
          JobConfig.load(
              Path.of("config/local.yaml"),
              Map.of(
                  "NAG_KAFKA_BOOTSTRAP_SERVERS",
                  kafka.bootstrapServers(),
                  "NAG_MODEL_PATH",
                  model,
                  "NAG_SELECTION_SHARDS",
                  "8",
                  "NAG_CHECKPOINTS_INTERVAL",
                  "2s",
                  "NAG_CHECKPOINTS_DIR",
                  work.resolve("checkpoints").toUri().toString()));
      double bare;
      String fingerprint;
      try (FeatureExtractor extractor =
          SharedExtractor.acquire(SelectorApp.extractorSpec(config))) {
        fingerprint = extractor.fingerprint();
        extractor.extract("warm", texts.get(0)).get();
        long start = System.nanoTime();
        List<CompletableFuture<ExtractionResult>> all = new ArrayList<>();
        for (int i = 0; i < docs; i++) {
          all.add(extractor.extract("d" + i, texts.get(i)));
        }
        CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get();
        bare = docs / ((System.nanoTime() - start) / 1e9);
      }
      out.printf("bare extractor: %.1f docs/s%n", bare);

      StreamExecutionEnvironment env =
          StreamExecutionEnvironment.getExecutionEnvironment(
              SelectorApp.flinkConfiguration(config));
      env.setParallelism(2);
      SelectorApp.assemble(env, config, fingerprint);
      JobClient job = env.executeAsync("bench-pipeline");
      try (KafkaProducer<byte[], byte[]> producer =
              new KafkaProducer<>(
                  Map.of("bootstrap.servers", kafka.bootstrapServers()),
                  new ByteArraySerializer(),
                  new ByteArraySerializer());
          KafkaConsumer<byte[], byte[]> consumer =
              new KafkaConsumer<>(
                  Map.of(
                      "bootstrap.servers", kafka.bootstrapServers(),
                      "group.id", "bench",
                      "auto.offset.reset", "earliest",
                      "isolation.level", "read_committed"),
                  new ByteArrayDeserializer(),
                  new ByteArrayDeserializer())) {
        TargetCommand all =
            TargetCommand.newBuilder()
                .setCommandId("bench")
                .setType(CommandType.UPSERT)
                .setTarget("all")
                .setExampleTexts(List.of(texts.get(1)))
                .setPolicy(new TargetPolicy(PolicyKind.THRESHOLD, 0.0))
                .build();
        producer.send(
            new ProducerRecord<>("control", null, bytes(TargetCommand.getEncoder().encode(all))));
        producer.flush();
        Thread.sleep(8000); // job start, model load in the tasks, target broadcast
        long start = System.nanoTime();
        for (int i = 0; i < docs; i++) {
          CrawlDocument d = CrawlDocument.newBuilder().setId("d" + i).setText(texts.get(i)).build();
          producer.send(
              new ProducerRecord<>("crawl", null, bytes(CrawlDocument.getEncoder().encode(d))));
        }
        producer.flush();
        consumer.subscribe(List.of("selected"));
        Set<String> seen = new HashSet<>();
        long deadline = System.currentTimeMillis() + 600_000;
        while (seen.size() < docs && System.currentTimeMillis() < deadline) {
          for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
            seen.add(new String(r.key()));
          }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        double pipeline = seen.size() / seconds;
        out.printf(
            "whole job: %.1f docs/s (%d of %d selected, read back read_committed; includes the wait for the"
                + " last checkpoint's commit)%n",
            pipeline, seen.size(), docs);
        out.printf("ratio: %.0f%% of the bare extractor%n", 100 * pipeline / bare);
      } finally {
        job.cancel().get();
      }
    }
    return 0;
  }

  private static byte[] bytes(ByteBuffer b) {
    byte[] out = new byte[b.remaining()];
    b.get(out);
    return out;
  }
}
