package io.nagselector.job;

import static io.nagselector.testutils.KafkaClients.bytes;
import static io.nagselector.testutils.KafkaClients.producer;
import static io.nagselector.testutils.KafkaClients.readCommitted;
import static org.assertj.core.api.Assertions.assertThat;

import io.nagselector.avro.CommandStatus;
import io.nagselector.avro.ControlEvent;
import io.nagselector.avro.DeadLetter;
import io.nagselector.avro.DocumentFeature;
import io.nagselector.avro.TargetCommand;
import io.nagselector.broker.EmbeddedKafka;
import io.nagselector.config.FlinkSettings;
import io.nagselector.config.JobConfig;
import io.nagselector.testutils.Broker;
import io.nagselector.testutils.Jobs;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
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
 * Every hostile input of the unit tests, sent through the real job (broker, MiniCluster, RocksDB,
 * the default model) with restarts disabled: had any of them thrown, the job would have failed.
 * Each ends as the unit tests say — a dead letter with its reason, a refusal on control-events, or
 * a feature.
 */
class HostileInputsIT extends PipelineIT {
  @RegisterExtension final Broker broker = new Broker();

  @TempDir Path dir;

  /** The job as `run` assembles it, failing for good on its first exception. */
  private static JobClient startWithoutRestarts(JobConfig config, String name) throws Exception {
    Configuration conf = FlinkSettings.defaults(config);
    conf.setString("restart-strategy.type", "none");
    var env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
    env.setParallelism(2);
    SelectorApp.assemble(env, config, SelectorApp.fingerprint(config));
    return env.executeAsync(name);
  }

  @Test
  void theJobSurvivesEveryHostileInputAndAccountsForEach() throws Exception {
    EmbeddedKafka kafka = broker.kafka();
    try (KafkaProducer<byte[], byte[]> producer = producer(kafka);
        KafkaConsumer<byte[], byte[]> consumer = readCommitted(kafka, "check")) {
      createJobTopics(kafka, "features");
      JobConfig config =
          testConfig(
              kafka,
              Path.of("unused"),
              dir,
              "300ms",
              Map.of(
                  "NAG_MODEL_PATH", "default",
                  "NAG_MODEL_TOP_K", "20",
                  "NAG_MODEL_MAX_LENGTH", "120",
                  "NAG_KAFKA_TOPICS_FEATURES", "features",
                  "NAG_TARGETS_MAX_COMMAND_BYTES", "500000"));
      String fingerprint = SelectorApp.fingerprint(config);
      JobClient job = startWithoutRestarts(config, "hostile-inputs-it");

      // crawl: every case of HostileCrawlInputsTest; the 50 MB text is stopped by Kafka's 1 MB
      // record
      // limit before it reaches the job, so a 400 KB one goes instead (under input.max-text-bytes:
      // extracted, truncated to max-length tokens)
      Map<String, Integer> expected = new TreeMap<>();
      int extracted = 0;
      for (var args : HostileCrawlInputsTest.inputs().toList()) {
        Object[] a = args.get();
        byte[] value = (byte[]) a[1];
        String outcome = (String) a[2];
        if (((String) a[0]).startsWith("a 50 MB")) {
          value = HostileCrawlInputsTest.avro("big", "y ".repeat(200_000));
          outcome = "EXTRACTED";
        }
        producer.send(new ProducerRecord<>("crawl", value));
        if (outcome.equals("EXTRACTED")) {
          extracted++;
        } else {
          expected.merge(outcome, 1, Integer::sum);
        }
      }
      // control: every refused command of HostileCommandsAndBurstsTest, as texts and features
      // the job extracts and checks itself, plus an oversized record and one that is not Avro
      int commands = 0;
      for (var args : HostileCommandsAndBurstsTest.commands().toList()) {
        TargetCommand.Builder c = ((TargetCommand.Builder) args.get()[1]);
        c.setCommandId("hostile-" + commands++);
        if (c.getFeaturesFingerprint() != null && c.getFeaturesFingerprint().equals("fp")) {
          c.setFeaturesFingerprint(fingerprint);
        }
        byte[] bytes = bytes(TargetCommand.getEncoder().encode(c.build()));
        if (bytes.length < 900_000) {
          producer.send(new ProducerRecord<>("control", bytes));
        } else {
          commands--; // the 1 MB example text: over Kafka's record limit, stopped by the producer
        }
      }
      producer.send(new ProducerRecord<>("control", new byte[600_000]));
      producer.send(new ProducerRecord<>("control", "not avro".getBytes()));
      producer.flush();

      consumer.subscribe(List.of("dead-letters", "control-events", "features"));
      List<DeadLetter> dead = new ArrayList<>();
      List<ControlEvent> events = new ArrayList<>();
      List<DocumentFeature> features = new ArrayList<>();
      int expectedDead =
          expected.values().stream().mapToInt(Integer::intValue).sum() + commands + 2;
      long deadline = System.currentTimeMillis() + 120_000;
      while ((dead.size() < expectedDead || events.size() < commands || features.size() < extracted)
          && System.currentTimeMillis() < deadline) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(300))) {
          switch (r.topic()) {
            case "dead-letters" -> dead.add(DeadLetter.getDecoder().decode(r.value()));
            case "control-events" -> events.add(ControlEvent.getDecoder().decode(r.value()));
            default -> features.add(DocumentFeature.getDecoder().decode(r.value()));
          }
        }
      }
      assertThat(job.getJobStatus().get()).isEqualTo(JobStatus.RUNNING);
      Jobs.cancel(job);

      Map<String, Integer> crawlReasons = new TreeMap<>();
      dead.stream()
          .filter(d -> !"control".equals(d.getSourceTopic())) // extraction's have no source yet
          .forEach(d -> crawlReasons.merge(d.getReason().name(), 1, Integer::sum));
      assertThat(crawlReasons).isEqualTo(expected);
      assertThat(features).hasSize(extracted);
      assertThat(events).hasSize(commands).allMatch(e -> e.getStatus() == CommandStatus.REJECTED);
      assertThat(dead.stream().filter(d -> "control".equals(d.getSourceTopic())))
          .hasSize(commands + 2);
    }
  }

  @Test
  void everyHostileJsonRecordEndsAsTheUnitTestsSay() throws Exception {
    EmbeddedKafka kafka = broker.kafka();
    try (KafkaProducer<byte[], byte[]> producer = producer(kafka);
        KafkaConsumer<byte[], byte[]> consumer = readCommitted(kafka, "check")) {
      createJobTopics(kafka, "features");
      JobConfig config =
          testConfig(
              kafka,
              Path.of("unused"),
              dir.resolve("json"),
              "300ms",
              Map.of(
                  "NAG_MODEL_PATH", "default",
                  "NAG_INPUT_FORMAT", "json",
                  "NAG_KAFKA_TOPICS_FEATURES", "features"));
      JobClient job = startWithoutRestarts(config, "hostile-json-it");

      Map<String, Integer> expected = new TreeMap<>();
      for (var args : HostileCrawlInputsTest.jsonInputs().toList()) {
        Object[] a = args.get();
        producer.send(new ProducerRecord<>("crawl", (byte[]) a[1]));
        expected.merge((String) a[2], 1, Integer::sum);
      }
      producer.flush();
      int extracted = expected.remove("EXTRACTED");

      consumer.subscribe(List.of("dead-letters", "features"));
      Map<String, Integer> reasons = new TreeMap<>();
      List<String> features = new ArrayList<>();
      int expectedDead = expected.values().stream().mapToInt(Integer::intValue).sum();
      long deadline = System.currentTimeMillis() + 120_000;
      while ((reasons.values().stream().mapToInt(Integer::intValue).sum() < expectedDead
              || features.size() < extracted)
          && System.currentTimeMillis() < deadline) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(300))) {
          if (r.topic().equals("dead-letters")) {
            reasons.merge(
                DeadLetter.getDecoder().decode(r.value()).getReason().name(), 1, Integer::sum);
          } else {
            features.add(DocumentFeature.getDecoder().decode(r.value()).getId());
          }
        }
      }
      assertThat(job.getJobStatus().get()).isEqualTo(JobStatus.RUNNING);
      Jobs.cancel(job);
      assertThat(reasons).isEqualTo(expected);
      assertThat(features).containsExactlyInAnyOrder("j1", "w", "fi", "uf");
    }
  }
}
