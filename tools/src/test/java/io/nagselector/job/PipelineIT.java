package io.nagselector.job;

import static io.nagselector.testutils.KafkaClients.bytes;

import io.nagselector.avro.CommandStatus;
import io.nagselector.avro.CommandType;
import io.nagselector.avro.ControlEvent;
import io.nagselector.avro.CrawlDocument;
import io.nagselector.avro.PolicyKind;
import io.nagselector.avro.TargetCommand;
import io.nagselector.avro.TargetPolicy;
import io.nagselector.broker.EmbeddedKafka;
import io.nagselector.config.FlinkSettings;
import io.nagselector.config.JobConfig;
import io.nagselector.control.ControlClient;
import io.nagselector.kafka.JobTopics;
import io.nagselector.model.TinyCheckpoint;
import io.nagselector.testutils.FastOrder;
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
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The job's integration tests' base: one MiniCluster for a test class, the test configuration, the
 * job started on it, and the targets and documents the tests send (their Kafka clients and
 * accounting are in {@code testing/}).
 */
abstract class PipelineIT {
  @RegisterExtension
  static final MiniClusterExtension FLINK =
      new MiniClusterExtension(
          new MiniClusterResourceConfiguration.Builder()
              .setConfiguration(JobMetrics.addTo(new Configuration()))
              .setNumberTaskManagers(1)
              .setNumberSlotsPerTaskManager(2)
              .build());

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

  /** The settings that put the job's clients on the broker's SASL_SSL listener as {@code user}. */
  static Map<String, String> saslSsl(
      EmbeddedKafka kafka, Path caPem, String user, String password) {
    Map<String, String> env = new HashMap<>();
    env.put("NAG_KAFKA_BOOTSTRAP_SERVERS", kafka.secureBootstrapServers());
    env.put("NAG_KAFKA_SECURITY_PROTOCOL", "SASL_SSL");
    env.put("NAG_KAFKA_SASL_USERNAME", user);
    env.put("NAG_KAFKA_SASL_PASSWORD", password);
    env.put("NAG_KAFKA_SSL_TRUSTSTORE", caPem.toString());
    return env;
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
}
