package io.nagselector.job;

import static io.nagselector.testutils.Accounting.assertAccountedOnce;
import static io.nagselector.testutils.Accounting.pollAccounted;
import static io.nagselector.testutils.Accounting.pollAccountedToEnd;
import static io.nagselector.testutils.KafkaClients.producer;
import static io.nagselector.testutils.KafkaClients.readCommitted;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.nagselector.avro.SelectedDocument;
import io.nagselector.broker.EmbeddedKafka;
import io.nagselector.config.FlinkSettings;
import io.nagselector.config.JobConfig;
import io.nagselector.model.TinyCheckpoint;
import io.nagselector.testutils.Await;
import io.nagselector.testutils.Broker;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.streaming.util.TestStreamEnvironment;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two TaskManagers die mid-stream, one after the other (terminated through the MiniCluster; a new
 * one joins each time): the job restarts from its last checkpoint by itself, once per loss and no
 * more, and every input document is accounted for exactly once in what consumers see with
 * read_committed, and in the Parquet dataset, which this test writes to {@code s3a://} (an
 * S3-compatible server on 127.0.0.1, through Flink's S3 plugin): the multipart uploads that the
 * failures cut off never become objects, and the shards pending at the restored checkpoints are
 * completed once. The S3 filesystem and its pools live as long as the JVM; no thread of theirs may
 * keep a failed attempt's classloader, which Flink closes (an upload through such a thread failed
 * the job a second time, in CI).
 */
class TaskManagerFailureIT {
  @RegisterExtension static final Broker BROKER = new Broker();

  @TempDir Path dir;

  @Test
  void theJobRecoversFromTwoLostTaskManagersWithNothingLostOrDuplicated() throws Exception {
    Path model = TinyCheckpoint.decoder("llama", 21).write(dir.resolve("model"), "F32", 1);
    Random rnd = new Random(21);
    EmbeddedKafka kafka = BROKER.kafka();
    try (S3Server s3 = S3Server.start(dir.resolve("s3").toFile());
        KafkaProducer<byte[], byte[]> producer = producer(kafka);
        KafkaConsumer<byte[], byte[]> consumer = readCommitted(kafka, "check")) {
      PipelineIT.createJobTopics(kafka);
      Instant started = Instant.now();
      String dataset = "s3a://" + S3Server.BUCKET + "/dataset";
      JobConfig config =
          PipelineIT.testConfig(kafka, model, dir, "300ms", Map.of("NAG_DATASET_PATH", dataset));
      Configuration conf = FlinkSettings.defaults(config);
      conf.addAll(s3.flinkConfiguration());
      conf.setString("restart-strategy.type", "fixed-delay");
      conf.setString("restart-strategy.fixed-delay.attempts", "20");
      conf.setString("restart-strategy.fixed-delay.delay", "1 s");
      try (MiniCluster cluster =
          new MiniCluster(
              new MiniClusterConfiguration.Builder()
                  .setConfiguration(conf)
                  .setNumTaskManagers(2)
                  .setNumSlotsPerTaskManager(1)
                  .build())) {
        cluster.start();
        TestStreamEnvironment env = new TestStreamEnvironment(cluster, 2);
        env.configure(conf);
        SelectorApp.assemble(env, config, SelectorApp.fingerprint(config));
        JobClient job = env.executeAsync("task-manager-failure-it");
        PipelineIT.upsertAllTarget(config, rnd);

        List<String> sent = new ArrayList<>();
        Set<String> texts = new HashSet<>();
        consumer.subscribe(List.of("selected", "dead-letters"));
        Map<String, Integer> accounted = new HashMap<>();
        // two TaskManagers lost, one after the other, each while documents are in flight
        for (int lost = 0; lost < 2; lost++) {
          sent.addAll(
              PipelineIT.sendDocs(producer, "abc".substring(lost, lost + 1), 150, texts, rnd));
          pollAccounted(consumer, accounted, sent.size() - 100, Duration.ofSeconds(90));
          cluster.terminateTaskManager(lost).get(); // the first TaskManager, then the second
          cluster.startTaskManager();
        }
        sent.addAll(PipelineIT.sendDocs(producer, "c", 150, texts, rnd));
        pollAccounted(consumer, accounted, sent.size(), Duration.ofSeconds(120));
        awaitAllTasksRunning(cluster, job);
        String history = exceptions(cluster, job);
        // no thread a task of an earlier attempt started (an S3 transfer pool's, say) keeps that
        // attempt's closed classloader: the first lookup through it would fail the next upload
        assertThat(ClosedClassLoaderThreads.awaitNone(Duration.ofSeconds(10)))
            .as("threads holding a closed classloader after two failovers")
            .isEmpty();
        // one failover per lost TaskManager, and no other (the job's exception history)
        assertThat(failovers(history)).as("failovers, in " + history).isEqualTo(2);
        // a last savepoint commits the last shards as it commits the last selections
        String savepoints = dir.resolve("savepoints").toUri().toString();
        try {
          job.stopWithSavepoint(false, savepoints, SavepointFormatType.CANONICAL).get();
        } catch (ExecutionException cut) {
          throw new AssertionError(
              "the final savepoint was cut; the job's exceptions: " + exceptions(cluster, job),
              cut);
        }
        pollAccountedToEnd(consumer, accounted); // anything read twice shows up now

        assertAccountedOnce("two TaskManagers killed mid-stream", sent, accounted);
        // the dataset through the failover: every selected document a row of one finished shard,
        // and every shard listed once in its manifest
        Path copy = dir.resolve("dataset-copy");
        S3Server.download(dataset, partitionsSince(started), copy.toFile());
        Map<Path, List<SelectedDocument>> shards = DatasetFiles.read(copy);
        List<String> rows = new ArrayList<>();
        shards.values().forEach(r -> r.forEach(d -> rows.add(d.getId())));
        assertThat(rows).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(sent);
        assertThat(DatasetFiles.assertListedOnceInManifests(shards))
            .allMatch(e -> e.checkpoint() > 0);
        assertThat(DatasetFiles.manifestsComplete(copy)).isTrue();
        System.out.printf(
            "s3 dataset: %d rows in %d finished shards; %d multipart uploads left open%n",
            rows.size(), shards.size(), s3.openUploads());
      }
    }
  }

  /** The target's partitions for every UTC date from {@code started} to now. */
  static List<String> partitionsSince(Instant started) {
    List<String> partitions = new ArrayList<>();
    LocalDate today = LocalDate.now(ZoneOffset.UTC);
    for (LocalDate d = started.atOffset(ZoneOffset.UTC).toLocalDate();
        !d.isAfter(today);
        d = d.plusDays(1)) {
      partitions.add("target=all/version=1/date=" + d);
    }
    return partitions;
  }

  /** The failovers in an exception history: one entry each. */
  private static int failovers(String history) throws Exception {
    return new ObjectMapper().readTree(history).path("exceptionHistory").path("entries").size();
  }

  /** The job's exception history, as Flink's REST API gives it. */
  private static String exceptions(MiniCluster cluster, JobClient job) throws Exception {
    return rest(cluster, "/jobs/" + job.getJobID() + "/exceptions");
  }

  private static String rest(MiniCluster cluster, String path) throws Exception {
    return HttpClient.newHttpClient()
        .send(
            HttpRequest.newBuilder(cluster.getRestAddress().get().resolve(path)).build(),
            HttpResponse.BodyHandlers.ofString())
        .body();
  }

  /** Until every subtask of the job runs (a job RUNNING may still be deploying some). */
  private static void awaitAllTasksRunning(MiniCluster cluster, JobClient job) throws Exception {
    Await.until(
        "every subtask of the job to run",
        Duration.ofSeconds(60),
        () -> {
          JsonNode vertices =
              new ObjectMapper()
                  .readTree(rest(cluster, "/jobs/" + job.getJobID()))
                  .path("vertices");
          // each subtask: a vertex reads RUNNING while one of its subtasks still initializes
          boolean running = vertices.size() > 0;
          for (JsonNode v : vertices) {
            running &= v.path("tasks").path("RUNNING").asInt() == v.path("parallelism").asInt();
          }
          return running;
        });
  }
}
