package io.nagselector.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.nagselector.avro.CommandType;
import io.nagselector.avro.CrawlDocument;
import io.nagselector.avro.DeadLetter;
import io.nagselector.avro.DeadLetterReason;
import io.nagselector.avro.PolicyKind;
import io.nagselector.avro.SelectedDocument;
import io.nagselector.avro.TargetCommand;
import io.nagselector.avro.TargetPolicy;
import io.nagselector.avro.TopKEntry;
import io.nagselector.avro.TopKSnapshot;
import io.nagselector.io.CrawlDecoder;
import io.nagselector.kafka.EmbeddedKafka;
import io.nagselector.model.ExtractionResult;
import io.nagselector.model.NeuronType;
import io.nagselector.model.TinyCheckpoint;
import io.nagselector.nag.NagFeature;
import io.nagselector.nag.Similarity;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The selection topology end to end: a real broker, the MiniCluster, the real extractor on a tiny
 * random checkpoint, exactly-once sinks read back with read_committed. With the threshold policy
 * the selected set must equal, exactly, what a direct computation selects.
 */
class SelectorJobIT extends PipelineIT {
  @TempDir Path dir;

  private static byte[] avro(String id, String text) throws Exception {
    ByteBuffer b =
        CrawlDocument.getEncoder()
            .encode(CrawlDocument.newBuilder().setId(id).setText(text).build());
    byte[] out = new byte[b.remaining()];
    b.get(out);
    return out;
  }

  @Test
  void selectsExactlyWhatTheThresholdSaysDedupesAndDeadLettersTheRest() throws Exception {
    ExtractorSpec spec =
        new ExtractorSpec(
            TinyCheckpoint.decoder("qwen3", 8).write(dir.resolve("model"), "F32", 1).toString(),
            4,
            16,
            NeuronType.FWD_UP,
            8,
            512,
            Duration.ofMillis(5));
    Random rnd = new Random(12);
    Map<String, String> docs = new java.util.LinkedHashMap<>();
    for (int i = 0; i < 120; i++) {
      docs.put(String.format("doc-%03d", i), TinyCheckpoint.randomText(rnd, 2 + rnd.nextInt(14)));
    }
    List<String> exampleTexts =
        List.of(TinyCheckpoint.randomText(rnd, 10), TinyCheckpoint.randomText(rnd, 12));

    // the expectation, computed directly with the same extractor
    Map<String, Double> sims = new HashMap<>();
    TargetDefinition target;
    try (FeatureExtractor direct = SharedExtractor.acquire(spec)) {
      List<int[]> examples = new ArrayList<>();
      for (int i = 0; i < exampleTexts.size(); i++) {
        examples.add(features(direct.extract("e" + i, exampleTexts.get(i)).get()));
      }
      TargetDefinition probe =
          new TargetDefinition(
              "t",
              1,
              direct.fingerprint(),
              TargetDefinition.Policy.THRESHOLD,
              0,
              5,
              3,
              4,
              examples);
      for (Map.Entry<String, String> d : docs.entrySet()) {
        int[] f = features(direct.extract(d.getKey(), d.getValue()).get());
        sims.put(
            d.getKey(),
            Similarity.similarity(NagFeature.of(d.getKey(), 3, 4, 0, f), probe.profile()));
      }
      double threshold = sims.values().stream().sorted().toList().get(sims.size() / 2);
      target =
          new TargetDefinition(
              "t",
              1,
              direct.fingerprint(),
              TargetDefinition.Policy.THRESHOLD,
              threshold,
              5,
              3,
              4,
              examples);
    }
    Set<String> expected = new TreeSet<>();
    sims.forEach(
        (id, sim) -> {
          if (sim >= target.policyValue()) {
            expected.add(id);
          }
        });

    try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
      kafka.createTopics(
          Map.of("crawl", 2, "control", 1, "selected", 1, "dead", 1, "top-k", 1), List.of("top-k"));
      StreamExecutionEnvironment env =
          StreamExecutionEnvironment.getExecutionEnvironment(new Configuration());
      env.setParallelism(2);
      env.enableCheckpointing(500);
      DataStream<RawRecord> crawl =
          env.fromSource(
                  KafkaWiring.rawSource(kafka.bootstrapServers(), "crawl", "it"),
                  WatermarkStrategy.noWatermarks(),
                  "crawl")
              .uid("crawl-source");
      DataStream<RawRecord> control =
          env.fromSource(
                  KafkaWiring.rawSource(kafka.bootstrapServers(), "control", "it-control"),
                  WatermarkStrategy.noWatermarks(),
                  "control")
              .uid("control-source");
      SelectorJob.Outputs out =
          new SelectorJob(
                  new SelectorJob.Settings(
                      CrawlDecoder.Format.AVRO,
                      10_000,
                      Duration.ofDays(7),
                      4,
                      100,
                      Duration.ofSeconds(30),
                      64,
                      NeuronType.FWD_UP,
                      target.modelFingerprint(),
                      new TargetRegistry.Defaults(TargetDefinition.Policy.FRACTION, 0.2, 5, 4),
                      Duration.ofMillis(300),
                      3,
                      Duration.ofMillis(50)),
                  SharedExtractor.factory(spec))
              .build(crawl, control);
      out.selected()
          .sinkTo(KafkaWiring.selectedSink(kafka.bootstrapServers(), "selected", "it"))
          .uid("selected-sink");
      out.deadLetters()
          .sinkTo(KafkaWiring.deadLetterSink(kafka.bootstrapServers(), "dead", "it"))
          .uid("dead-sink");
      out.topK()
          .sinkTo(KafkaWiring.topKSink(kafka.bootstrapServers(), "top-k", "it"))
          .uid("top-k-sink");
      JobClient job = env.executeAsync("selector-it");
      try (KafkaProducer<byte[], byte[]> producer = producer(kafka)) {
        producer.send(
            new ProducerRecord<>(
                "control", null, "not a command".getBytes(StandardCharsets.UTF_8)));
        producer.send(
            new ProducerRecord<>(
                "control",
                null,
                command(
                    TargetCommand.newBuilder()
                        .setCommandId("c1")
                        .setType(CommandType.UPSERT)
                        .setTarget("t")
                        .setExampleTexts(exampleTexts)
                        .setPolicy(new TargetPolicy(PolicyKind.THRESHOLD, target.policyValue()))
                        .setTopK(5)
                        .build())));
      }
      Thread.sleep(4000); // the target is broadcast before documents arrive

      try (KafkaProducer<byte[], byte[]> producer = producer(kafka)) {
        int n = 0;
        for (Map.Entry<String, String> d : docs.entrySet()) {
          byte[] value = avro(d.getKey(), d.getValue());
          producer.send(
              new ProducerRecord<>("crawl", d.getKey().getBytes(StandardCharsets.UTF_8), value));
          if (n++ % 10 == 0) { // 12 exact duplicates
            producer.send(
                new ProducerRecord<>("crawl", d.getKey().getBytes(StandardCharsets.UTF_8), value));
          }
        }
        producer.send(
            new ProducerRecord<>("crawl", null, "not avro".getBytes(StandardCharsets.UTF_8)));
        producer.send(new ProducerRecord<>("crawl", null, avro("blank", "   ")));
        producer.send(new ProducerRecord<>("crawl", null, avro("nul", "a\u0000b")));
      }

      List<SelectedDocument> selected = new ArrayList<>();
      List<DeadLetter> dead = new ArrayList<>();
      TopKSnapshot[] lastTopK = new TopKSnapshot[1];
      try (KafkaConsumer<byte[], byte[]> consumer = readCommitted(kafka, "check")) {
        consumer.subscribe(List.of("selected", "dead", "top-k"));
        long deadline = System.currentTimeMillis() + 120_000;
        while ((selected.size() < expected.size() || dead.size() < 4)
            && System.currentTimeMillis() < deadline) {
          for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
            if (r.topic().equals("selected")) {
              selected.add(SelectedDocument.getDecoder().decode(r.value()));
            } else if (r.topic().equals("top-k")) {
              lastTopK[0] = TopKSnapshot.getDecoder().decode(r.value());
            } else {
              dead.add(DeadLetter.getDecoder().decode(r.value()));
            }
          }
        }
        Thread.sleep(1500); // anything extra would show up now, and the last top-k snapshots
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(1000))) {
          if (r.topic().equals("selected")) {
            selected.add(SelectedDocument.getDecoder().decode(r.value()));
          } else if (r.topic().equals("top-k")) {
            lastTopK[0] = TopKSnapshot.getDecoder().decode(r.value());
          }
        }
      }
      job.cancel().get();

      assertThat(selected).extracting(SelectedDocument::getId).doesNotHaveDuplicates();
      assertThat(new TreeSet<>(selected.stream().map(SelectedDocument::getId).toList()))
          .isEqualTo(expected);
      for (SelectedDocument s : selected) {
        assertThat(s.getSimilarity()).isEqualTo(sims.get(s.getId()));
        assertThat(s.getThreshold()).isEqualTo(target.policyValue());
      }
      assertThat(dead)
          .extracting(DeadLetter::getReason)
          .containsExactlyInAnyOrder(
              DeadLetterReason.DECODE_ERROR,
              DeadLetterReason.EMPTY_TEXT,
              DeadLetterReason.BINARY_CONTENT,
              DeadLetterReason.DECODE_ERROR);
      assertThat(selected).allMatch(s -> s.getTarget().equals("t") && s.getTargetVersion() == 1);
      List<String> batchTopK =
          sims.entrySet().stream()
              .sorted(
                  Map.Entry.<String, Double>comparingByValue()
                      .reversed()
                      .thenComparing(Map.Entry.comparingByKey()))
              .limit(5)
              .map(Map.Entry::getKey)
              .toList();
      assertThat(lastTopK[0]).isNotNull();
      assertThat(lastTopK[0].getEntries().stream().map(TopKEntry::getDocId).toList())
          .isEqualTo(batchTopK);
    }
  }

  private static byte[] command(TargetCommand c) throws Exception {
    ByteBuffer b = TargetCommand.getEncoder().encode(c);
    byte[] out = new byte[b.remaining()];
    b.get(out);
    return out;
  }

  private static int[] features(ExtractionResult r) {
    return ((ExtractionResult.Features) r).features().get(NeuronType.FWD_UP);
  }
}
