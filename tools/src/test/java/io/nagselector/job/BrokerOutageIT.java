package io.nagselector.job;

import static io.nagselector.testutils.Accounting.assertAccountedOnce;
import static io.nagselector.testutils.Accounting.pollAccounted;
import static io.nagselector.testutils.KafkaClients.producer;
import static io.nagselector.testutils.KafkaClients.readCommitted;
import static org.assertj.core.api.Assertions.assertThat;

import io.nagselector.broker.EmbeddedKafka;
import io.nagselector.config.JobConfig;
import io.nagselector.model.TinyCheckpoint;
import io.nagselector.testutils.Await;
import io.nagselector.testutils.Broker;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
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
 * The broker stops for 20 seconds mid-stream and comes back: the job recovers without anyone's help
 * (Kafka clients retry, and a failed checkpoint or transaction restarts it from the last one), and
 * every document is selected exactly once.
 */
class BrokerOutageIT extends PipelineIT {
  @RegisterExtension static final Broker BROKER = new Broker();

  @TempDir Path dir;

  @Test
  void theJobRecoversFromABrokerOutage() throws Exception {
    Path model = TinyCheckpoint.decoder("qwen3", 31).write(dir.resolve("model"), "F32", 1);
    Random rnd = new Random(31);
    EmbeddedKafka kafka = BROKER.kafka();
    createJobTopics(kafka);
    Path dataset = dir.resolve("dataset");
    JobConfig config =
        testConfig(
            kafka, model, dir, "300ms", Map.of("NAG_DATASET_PATH", dataset.toUri().toString()));
    List<String> sent = new ArrayList<>();
    Set<String> texts = new HashSet<>();
    Map<String, Integer> accounted = new HashMap<>();
    JobClient job;
    try (KafkaProducer<byte[], byte[]> producer = producer(kafka)) {
      job = startJob(config, null);
      upsertAllTarget(config, rnd);
      sent.addAll(sendDocs(producer, "a", 150, texts, rnd));
    }
    try (KafkaConsumer<byte[], byte[]> consumer = readCommitted(kafka, "before")) {
      consumer.subscribe(List.of("selected"));
      pollAccounted(consumer, accounted, 40, Duration.ofSeconds(60));
    }
    kafka.stop();
    // the outage is the fault: 20 s without a broker, through which the job must not end
    Await.holdsFor(
        "the job outlives the broker's outage",
        Duration.ofSeconds(20),
        () -> !job.getJobStatus().get().isGloballyTerminalState());
    kafka.restart();
    try (KafkaProducer<byte[], byte[]> producer = producer(kafka)) {
      sent.addAll(sendDocs(producer, "b", 150, texts, rnd));
    }
    accounted.clear(); // read everything again from the beginning, after the outage
    try (KafkaConsumer<byte[], byte[]> consumer = readCommitted(kafka, "after")) {
      consumer.subscribe(List.of("selected"));
      pollAccounted(consumer, accounted, sent.size(), Duration.ofSeconds(180));
      // and for 4 s more: a duplicate would come now
      pollAccounted(consumer, accounted, Integer.MAX_VALUE, Duration.ofSeconds(4));
    }
    // a last savepoint commits the last shards as it commits the last selections
    job.stopWithSavepoint(
            false, dir.resolve("savepoints").toUri().toString(), SavepointFormatType.CANONICAL)
        .get();
    assertAccountedOnce("the broker down for 20 s", sent, accounted);
    // the dataset through the outage: every document (all are selected) a row of one shard
    List<String> rows = new ArrayList<>();
    DatasetFiles.read(dataset).values().forEach(r -> r.forEach(d -> rows.add(d.getId())));
    assertThat(rows).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(sent);
  }
}
