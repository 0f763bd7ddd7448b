package io.nagselector.pipeline;

import io.nagselector.kafka.EmbeddedKafka;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Shared fixtures of the job's integration tests: the MiniCluster, Kafka clients, test config. */
abstract class PipelineIT {
  @RegisterExtension
  static final MiniClusterExtension FLINK =
      new MiniClusterExtension(
          new MiniClusterResourceConfiguration.Builder()
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
    env.put("NAG_CHECKPOINTS_INTERVAL", checkpointInterval);
    env.put("NAG_CHECKPOINTS_DIR", dir.resolve("checkpoints").toUri().toString());
    env.putAll(more);
    return JobConfig.load(Path.of("config/local.yaml"), env);
  }

  /** The topics of config/local.yaml, plus any others. */
  static void createJobTopics(EmbeddedKafka kafka, String... more) {
    SelectorApp.createTopics(kafka, JobConfig.load(Path.of("config/local.yaml"), Map.of()), more);
  }

  /** Starts the job as `run` assembles it, optionally from a savepoint. */
  static org.apache.flink.core.execution.JobClient startJob(JobConfig config, String savepoint)
      throws Exception {
    return startJob(config, savepoint, 2);
  }

  /** The same at another parallelism (a restore from a savepoint may change it). */
  static org.apache.flink.core.execution.JobClient startJob(
      JobConfig config, String savepoint, int parallelism) throws Exception {
    org.apache.flink.configuration.Configuration conf = SelectorApp.flinkConfiguration(config);
    if (savepoint != null) {
      conf.setString("execution.state-recovery.path", savepoint);
    }
    org.apache.flink.streaming.api.environment.StreamExecutionEnvironment env =
        org.apache.flink.streaming.api.environment.StreamExecutionEnvironment
            .getExecutionEnvironment(conf);
    env.setParallelism(parallelism);
    SelectorApp.assemble(env, config, SelectorApp.fingerprint(config));
    return env.executeAsync("selector-it");
  }
}
