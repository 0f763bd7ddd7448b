package io.nagselector.job;

import static io.nagselector.testutils.Accounting.assertAccountedOnce;
import static io.nagselector.testutils.Accounting.pollAccounted;
import static io.nagselector.testutils.Accounting.pollAccountedToEnd;
import static io.nagselector.testutils.KafkaClients.producer;
import static io.nagselector.testutils.KafkaClients.readCommitted;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nagselector.broker.EmbeddedKafka;
import io.nagselector.config.JobConfig;
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
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * What docs/deployment.md says of upgrades that switch an optional output (the features topic): on
 * is a plain savepoint restore; off leaves the sink's state unclaimed, which a restore refuses
 * unless told to ignore it (the operator's {@code allowNonRestoredState}).
 */
class OptionalOutputsUpgradeIT extends PipelineIT {
  @RegisterExtension static final Broker BROKER = new Broker();

  @TempDir Path dir;

  @Test
  void turningTheFeaturesTopicOnRestoresAndTurningItOffNeedsAllowNonRestoredState()
      throws Exception {
    Path model = TinyCheckpoint.decoder("llama", 4).write(dir.resolve("model"), "F32", 1);
    Random rnd = new Random(12);
    EmbeddedKafka kafka = BROKER.kafka();
    try (KafkaProducer<byte[], byte[]> producer = producer(kafka);
        KafkaConsumer<byte[], byte[]> consumer = readCommitted(kafka, "check")) {
      createJobTopics(kafka, "features");
      JobConfig off = testConfig(kafka, model, dir, "300ms");
      JobConfig on =
          testConfig(kafka, model, dir, "300ms", Map.of("NAG_KAFKA_TOPICS_FEATURES", "features"));
      consumer.subscribe(List.of("selected"));
      Map<String, Integer> seen = new HashMap<>();
      Set<String> texts = new HashSet<>();

      JobClient first = startJob(off, null, 2, false);
      upsertAllTarget(off, rnd);
      List<String> sent = sendDocs(producer, "a", 20, texts, rnd);
      pollAccounted(consumer, seen, 20, Duration.ofSeconds(60));
      String withoutFeatures = savepoint(first);

      // on: the features sink is new, with nothing to restore
      JobClient second = startJob(on, withoutFeatures, 2, false);
      sent.addAll(sendDocs(producer, "b", 20, texts, rnd));
      pollAccounted(consumer, seen, 40, Duration.ofSeconds(60));
      String withFeatures = savepoint(second);

      // off: the features sink's state has no operator to go to
      assertThatThrownBy(() -> startJob(off, withFeatures, 2, false).getJobExecutionResult().get())
          .hasStackTraceContaining("allowNonRestoredState");
      JobClient third = startJob(off, withFeatures, 2, true);
      sent.addAll(sendDocs(producer, "c", 20, texts, rnd));
      pollAccounted(consumer, seen, 60, Duration.ofSeconds(60));
      Jobs.cancel(third);
      pollAccountedToEnd(consumer, seen);
      assertAccountedOnce("the features topic turned on, then off", sent, seen);
    }
  }

  private String savepoint(JobClient job) throws Exception {
    return job.stopWithSavepoint(
            false, dir.resolve("savepoints").toUri().toString(), SavepointFormatType.CANONICAL)
        .get();
  }
}
