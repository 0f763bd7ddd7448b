package io.nagselector.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.nagselector.kafka.EmbeddedKafka;
import io.nagselector.model.TinyCheckpoint;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
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
 * once in what consumers see with read_committed, and in the Parquet dataset.
 */
class TaskManagerFailureIT {
  @TempDir Path dir;

  @Test
  void theJobRecoversFromALostTaskManagerWithNothingLostOrDuplicated() throws Exception {
    Path model = TinyCheckpoint.decoder("llama", 21).write(dir.resolve("model"), "F32", 1);
    Random rnd = new Random(21);
    try (EmbeddedKafka kafka = EmbeddedKafka.start();
        KafkaProducer<byte[], byte[]> producer = PipelineIT.producer(kafka);
        KafkaConsumer<byte[], byte[]> consumer = PipelineIT.readCommitted(kafka, "check")) {
      PipelineIT.createJobTopics(kafka);
      Path dataset = dir.resolve("dataset");
      JobConfig config =
          PipelineIT.testConfig(
              kafka, model, dir, "300ms", Map.of("NAG_DATASET_PATH", dataset.toUri().toString()));
      Configuration conf = FlinkSettings.defaults(config);
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
        String history =
            HttpClient.newHttpClient()
                .send(
                    HttpRequest.newBuilder(
                            cluster
                                .getRestAddress()
                                .get()
                                .resolve("/jobs/" + job.getJobID() + "/exceptions"))
                        .build(),
                    HttpResponse.BodyHandlers.ofString())
                .body();
        assertThat(history).contains("\"exceptionHistory\"").containsPattern("\"entries\":\\[\\{");
        // a last savepoint commits the last shards as it commits the last selections
        job.stopWithSavepoint(
                false, dir.resolve("savepoints").toUri().toString(), SavepointFormatType.CANONICAL)
            .get();
        PipelineIT.pollAccountedToEnd(consumer, accounted); // anything read twice shows up now

        PipelineIT.assertAccountedOnce("a TaskManager killed mid-stream", sent, accounted);
        // the dataset through the failover: every selected document a row of one finished shard
        List<String> rows = new ArrayList<>();
        DatasetFiles.read(dataset).values().forEach(r -> r.forEach(d -> rows.add(d.getId())));
        assertThat(rows).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(sent);
      }
    }
  }
}
