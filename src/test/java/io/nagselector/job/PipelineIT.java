package io.nagselector.job;

import io.nagselector.avro.CommandStatus;
import io.nagselector.avro.CommandType;
import io.nagselector.avro.ControlEvent;
import io.nagselector.avro.CrawlDocument;
import io.nagselector.avro.DeadLetter;
import io.nagselector.avro.DocumentFeature;
import io.nagselector.avro.DuplicateDocument;
import io.nagselector.avro.PolicyKind;
import io.nagselector.avro.SelectedDocument;
import io.nagselector.avro.TargetCommand;
import io.nagselector.avro.TargetPolicy;
import io.nagselector.config.FlinkSettings;
import io.nagselector.config.JobConfig;
import io.nagselector.control.ControlClient;
import io.nagselector.kafka.EmbeddedKafka;
import io.nagselector.kafka.JobTopics;
import io.nagselector.model.TinyCheckpoint;
import io.nagselector.testing.FastOrder;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Shared fixtures of the job's integration tests: the MiniCluster, Kafka clients, test config. */
abstract class PipelineIT {
  @RegisterExtension
  static final MiniClusterExtension FLINK =
      new MiniClusterExtension(
          new MiniClusterResourceConfiguration.Builder()
              .setConfiguration(JobMetrics.addTo(new Configuration()))
              .setNumberTaskManagers(1)
              .setNumberSlotsPerTaskManager(2)
              .build());

  static byte[] bytes(ByteBuffer b) {
    byte[] out = new byte[b.remaining()];
    b.get(out);
    return out;
  }

  static KafkaProducer<byte[], byte[]> producer(EmbeddedKafka kafka) {
    return new KafkaProducer<>(
        Map.of("bootstrap.servers", kafka.bootstrapServers()),
        new ByteArraySerializer(),
        new ByteArraySerializer());
  }

  /** A consumer that sees committed transactions only, from the beginning. */
  static KafkaConsumer<byte[], byte[]> readCommitted(EmbeddedKafka kafka, String group) {
    return new KafkaConsumer<>(
        Map.of(
            "bootstrap.servers",
            kafka.bootstrapServers(),
            "group.id",
            group,
            "auto.offset.reset",
            "earliest",
            "isolation.level",
            "read_committed"),
        new ByteArrayDeserializer(),
        new ByteArrayDeserializer());
  }

  /** config/local.yaml pointed at the embedded broker and a tiny model (K = 4, 16 tokens). */
  static JobConfig testConfig(
      EmbeddedKafka kafka, Path model, Path dir, String checkpointInterval) {
    return testConfig(kafka, model, dir, checkpointInterval, Map.of());
  }

  /** The same with more NAG_* overrides, which win over the ones above. */
  static JobConfig testConfig(
      EmbeddedKafka kafka,
      Path model,
      Path dir,
      String checkpointInterval,
      Map<String, String> more) {
    Map<String, String> env = new HashMap<>();
    env.put("NAG_KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers());
    env.put("NAG_MODEL_PATH", model.toString());
    env.put("NAG_MODEL_TOP_K", "4");
    env.put("NAG_MODEL_MAX_LENGTH", "16");
    env.put("NAG_SELECTION_SHARDS", "4");
    env.put("NAG_SELECTION_MAX_HOLD", "2s");
    env.put("NAG_CHECKPOINTS_INTERVAL", checkpointInterval);
    env.putAll(FastOrder.ENV);
    env.put("NAG_CHECKPOINTS_DIR", dir.resolve("checkpoints").toUri().toString());
    env.putAll(more);
    return JobConfig.load(Path.of("config/local.yaml"), env);
  }

  /** The topics of config/local.yaml, plus any others. */
  static void createJobTopics(EmbeddedKafka kafka, String... more) {
    kafka.createTopics(
        JobTopics.toCreate(JobConfig.load(Path.of("config/local.yaml"), Map.of()), more));
  }

  /** Starts the job as `run` assembles it, optionally from a savepoint. */
  static JobClient startJob(JobConfig config, String savepoint) throws Exception {
    return startJob(config, savepoint, 2);
  }

  /** The same at another parallelism (a restore from a savepoint may change it). */
  static JobClient startJob(JobConfig config, String savepoint, int parallelism) throws Exception {
    return startJob(config, savepoint, parallelism, false);
  }

  /**
   * The same, optionally ignoring savepoint state no operator claims (the operator's {@code
   * allowNonRestoredState}).
   */
  static JobClient startJob(
      JobConfig config, String savepoint, int parallelism, boolean ignoreUnclaimedState)
      throws Exception {
    Configuration conf = FlinkSettings.defaults(config);
    if (savepoint != null) {
      conf.setString("execution.state-recovery.path", savepoint);
      conf.setString(
          "execution.state-recovery.ignore-unclaimed-state", String.valueOf(ignoreUnclaimedState));
    }
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
    env.setParallelism(parallelism);
    SelectorApp.assemble(env, config, SelectorApp.fingerprint(config));
    return env.executeAsync("selector-it");
  }

  /**
   * Sends UPSERT "all" (command c1): a threshold-0 target, so every extracted document is selected.
   */
  static void sendAllTarget(KafkaProducer<byte[], byte[]> producer, Random rnd) throws Exception {
    TargetCommand upsert = allTarget(rnd).build();
    producer.send(
        new ProducerRecord<>("control", bytes(TargetCommand.getEncoder().encode(upsert))));
    producer.flush();
  }

  /**
   * Sends UPSERT "all" (command c1) through the control client and waits until the job applied it:
   * documents sent afterwards are all scored against it.
   */
  static void upsertAllTarget(JobConfig config, Random rnd) {
    try (ControlClient control = ControlClient.open(config)) {
      ControlEvent answer = control.await(control.send(allTarget(rnd)), Duration.ofSeconds(90));
      Assertions.assertThat(answer.getStatus())
          .as("the all target: %s", answer.getMessage())
          .isEqualTo(CommandStatus.APPLIED);
    }
  }

  /** UPSERT "all" (command c1): a threshold-0 target, so every extracted document is selected. */
  static TargetCommand.Builder allTarget(Random rnd) {
    return TargetCommand.newBuilder()
        .setCommandId("c1")
        .setType(CommandType.UPSERT)
        .setTarget("all")
        .setExampleTexts(List.of(TinyCheckpoint.randomText(rnd, 6)))
        .setPolicy(new TargetPolicy(PolicyKind.THRESHOLD, 0.0));
  }

  /** Sends {@code n} documents PREFIX0.. with texts not in {@code texts}; returns their ids. */
  static List<String> sendDocs(
      KafkaProducer<byte[], byte[]> producer, String prefix, int n, Set<String> texts, Random rnd)
      throws Exception {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      String text;
      do {
        text = TinyCheckpoint.randomText(rnd, 4 + rnd.nextInt(8));
      } while (!texts.add(text));
      CrawlDocument d = CrawlDocument.newBuilder().setId(prefix + i).setText(text).build();
      producer.send(new ProducerRecord<>("crawl", bytes(CrawlDocument.getEncoder().encode(d))));
      ids.add(prefix + i);
    }
    producer.flush();
    return ids;
  }

  /**
   * Counts, per doc id, what the job committed for it on the topics subscribed: selected (or, on
   * the features topic, scored), skipped as a duplicate, or dead-lettered; until {@code until} ids
   * or {@code max} time.
   */
  static void pollAccounted(
      KafkaConsumer<byte[], byte[]> consumer, Map<String, Integer> seen, int until, Duration max)
      throws Exception {
    long deadline = System.currentTimeMillis() + max.toMillis();
    while (seen.size() < until && System.currentTimeMillis() < deadline) {
      for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(300))) {
        String id =
            switch (r.topic()) {
              case "selected" -> SelectedDocument.getDecoder().decode(r.value()).getId();
              case "duplicates" ->
                  DuplicateDocument.getDecoder().decode(r.value()).getDocument().getId();
              case "features" -> DocumentFeature.getDecoder().decode(r.value()).getId();
              default -> DeadLetter.getDecoder().decode(r.value()).getDocId();
            };
        seen.merge(id, 1, Integer::sum);
      }
    }
  }

  /**
   * After the job stopped (nothing more commits): counts every committed record not read yet, up to
   * the end offsets of the consumer's partitions; a record read twice would show up here.
   */
  static void pollAccountedToEnd(KafkaConsumer<byte[], byte[]> consumer, Map<String, Integer> seen)
      throws Exception {
    Map<TopicPartition, Long> end = consumer.endOffsets(consumer.assignment());
    while (end.entrySet().stream().anyMatch(e -> consumer.position(e.getKey()) < e.getValue())) {
      pollAccounted(consumer, seen, Integer.MAX_VALUE, Duration.ofMillis(300));
    }
  }

  /** Prints the fault's row (in, accounted, lost, duplicated) and requires 0 lost, 0 duplicated. */
  static void assertAccountedOnce(String fault, List<String> sent, Map<String, Integer> accounted) {
    long lost = sent.stream().filter(id -> !accounted.containsKey(id)).count();
    long duplicated = accounted.values().stream().filter(n -> n > 1).count();
    System.out.printf(
        "%-40s %6s %10s %5s %11s%n%-40s %6d %10d %5d %11d%n",
        "fault",
        "in",
        "accounted",
        "lost",
        "duplicated",
        fault,
        sent.size(),
        accounted.size(),
        lost,
        duplicated);
    Assertions.assertThat(lost).as(fault + ": lost").isZero();
    Assertions.assertThat(duplicated).as(fault + ": duplicated").isZero();
  }
}
