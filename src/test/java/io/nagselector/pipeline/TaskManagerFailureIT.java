package io.nagselector.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.nagselector.avro.SelectedDocument;
import io.nagselector.kafka.EmbeddedKafka;
import io.nagselector.model.TinyCheckpoint;
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
import org.junit.jupiter.api.io.TempDir;

/**
 * A TaskManager dies mid-stream (terminated through the MiniCluster; a new one joins): the job
 * restarts from its last checkpoint by itself, and every input document is accounted for exactly
 * once in what consumers see with read_committed, and in the Parquet dataset, which this test
 * writes to {@code s3://} (an S3-compatible server on 127.0.0.1, through Flink's S3 plugin): the
 * multipart uploads that the failure cut off never become objects, and the shards pending at the
 * restored checkpoint are completed once.
 */
class TaskManagerFailureIT {
  @TempDir Path dir;

  @Test
  void theJobRecoversFromALostTaskManagerWithNothingLostOrDuplicated() throws Exception {
    Path model = TinyCheckpoint.decoder("llama", 21).write(dir.resolve("model"), "F32", 1);
    Random rnd = new Random(21);
    try (S3Server s3 = S3Server.start(dir.resolve("s3").toFile());
        EmbeddedKafka kafka = EmbeddedKafka.start();
        KafkaProducer<byte[], byte[]> producer = PipelineIT.producer(kafka);
        KafkaConsumer<byte[], byte[]> consumer = PipelineIT.readCommitted(kafka, "check")) {
      PipelineIT.createJobTopics(kafka);
      Instant started = Instant.now();
      String dataset = "s3://" + S3Server.BUCKET + "/dataset";
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
        sent.addAll(PipelineIT.sendDocs(producer, "a", 200, texts, rnd));
        consumer.subscribe(List.of("selected", "dead-letters"));
        Map<String, Integer> accounted = new HashMap<>();
        PipelineIT.pollAccounted(consumer, accounted, 60, Duration.ofSeconds(60));
        cluster.terminateTaskManager(0).get();
        cluster.startTaskManager();
        sent.addAll(PipelineIT.sendDocs(producer, "b", 200, texts, rnd));
        PipelineIT.pollAccounted(consumer, accounted, sent.size(), Duration.ofSeconds(120));
        // the job did fail over: its exception history names the lost TaskManager
        assertThat(exceptions(cluster, job))
            .contains("\"exceptionHistory\"")
            .containsPattern("\"entries\":\\[\\{");
        // a last savepoint commits the last shards as it commits the last selections. Should a
        // second failover cut it (twice in CI, not reproduced here), the output shows the job's
        // exception history, and the savepoint is taken again once every task runs again
        String savepoints = dir.resolve("savepoints").toUri().toString();
        for (int attempt = 1; ; attempt++) {
          awaitAllTasksRunning(cluster, job);
          try {
            job.stopWithSavepoint(false, savepoints, SavepointFormatType.CANONICAL).get();
            break;
          } catch (ExecutionException cut) {
            System.out.println(
                "the savepoint was cut ("
                    + cut.getCause()
                    + "); the job's exceptions: "
                    + exceptions(cluster, job)
                    + "; its tasks: "
                    + taskStates(cluster, job));
            if (attempt == 5) {
              throw cut;
            }
            Thread.sleep(1000);
          }
        }
        PipelineIT.pollAccountedToEnd(consumer, accounted); // anything read twice shows up now

        PipelineIT.assertAccountedOnce("a TaskManager killed mid-stream", sent, accounted);
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
  private static List<String> partitionsSince(Instant started) {
    List<String> partitions = new ArrayList<>();
    LocalDate today = LocalDate.now(ZoneOffset.UTC);
    for (LocalDate d = started.atOffset(ZoneOffset.UTC).toLocalDate();
        !d.isAfter(today);
        d = d.plusDays(1)) {
      partitions.add("target=all/version=1/date=" + d);
    }
    return partitions;
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

  /** Each vertex's name and its subtasks' states. */
  private static String taskStates(MiniCluster cluster, JobClient job) throws Exception {
    StringBuilder states = new StringBuilder();
    for (JsonNode v :
        new ObjectMapper().readTree(rest(cluster, "/jobs/" + job.getJobID())).path("vertices")) {
      states.append(v.path("name").asText()).append(' ').append(v.path("tasks")).append("; ");
    }
    return states.toString();
  }

  /** Until every subtask of the job runs (a job RUNNING may still be deploying some). */
  private static void awaitAllTasksRunning(MiniCluster cluster, JobClient job) throws Exception {
    long deadline = System.currentTimeMillis() + 60_000;
    while (System.currentTimeMillis() < deadline) {
      JsonNode vertices =
          new ObjectMapper().readTree(rest(cluster, "/jobs/" + job.getJobID())).path("vertices");
      // each subtask: a vertex reads RUNNING while one of its subtasks still initializes
      boolean running = vertices.size() > 0;
      for (JsonNode v : vertices) {
        running &= v.path("tasks").path("RUNNING").asInt() == v.path("parallelism").asInt();
      }
      if (running) {
        return;
      }
      Thread.sleep(200);
    }
    throw new AssertionError("the job's tasks did not all run within a minute");
  }
}
