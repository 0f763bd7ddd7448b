package io.nagselector.job;

import static io.nagselector.testutils.Accounting.assertAccountedOnce;
import static io.nagselector.testutils.Accounting.pollAccounted;
import static io.nagselector.testutils.KafkaClients.producer;
import static io.nagselector.testutils.KafkaClients.readCommitted;
import static org.assertj.core.api.Assertions.assertThat;

import io.nagselector.broker.EmbeddedKafka;
import io.nagselector.testutils.Broker;
import io.nagselector.testutils.FastOrder;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code run --flink-cluster}, as a user runs it from the packaged jar: the job in a local
 * application cluster of separate JVMs against a broker of the user's; a job that cannot start is
 * reported with its reason, and Ctrl-C leaves no Flink process behind.
 */
class RunOnFlinkClusterIT {
  @RegisterExtension final Broker broker = new Broker();

  private static final Path JAR = Path.of("target", "nag-selector.jar");

  private static Process run(EmbeddedKafka kafka, Map<String, String> env) throws Exception {
    ProcessBuilder b =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar",
                JAR.toString(),
                "run",
                "--flink-cluster")
            .redirectErrorStream(true);
    b.environment().put("NAG_KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers());
    b.environment().put("NAG_SELECTION_SHARDS", "4");
    b.environment().putAll(FastOrder.ENV);
    b.environment().putAll(env);
    return b.start();
  }

  @Test
  void aJobThatCannotStartIsReportedWithItsReason() throws Exception {
    EmbeddedKafka kafka = broker.kafka();
    Process p = run(kafka, Map.of("NAG_MODEL_PATH", "models/relative"));
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(2, TimeUnit.MINUTES)).isTrue();
    assertThat(p.exitValue()).as(out).isEqualTo(2);
    assertThat(out)
        .contains(
            "error: the job failed to start: config: model.path must be 'default' or an"
                + " absolute directory on a cluster");
    assertThat(ProcessHandle.current().descendants().filter(ProcessHandle::isAlive)).isEmpty();
  }

  @Test
  void selectsOnALocalClusterAndStopsItOnCtrlC() throws Exception {
    EmbeddedKafka kafka = broker.kafka();
    try (KafkaProducer<byte[], byte[]> producer = producer(kafka);
        KafkaConsumer<byte[], byte[]> selected = readCommitted(kafka, "check")) {
      PipelineIT.createJobTopics(kafka);
      Process p = run(kafka, Map.of("NAG_CHECKPOINTS_INTERVAL", "1s"));
      List<String> output = new ArrayList<>();
      BufferedReader lines =
          new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
      String line;
      while ((line = lines.readLine()) != null && !line.contains("running; Ctrl-C")) {
        output.add(line);
      }
      assertThat(line).as(String.join("\n", output)).isNotNull().startsWith("job ");
      assertThat(output)
          .anyMatch(l -> l.startsWith("Flink: an application cluster of separate JVMs, web UI"))
          .anyMatch(l -> l.startsWith("TaskManager pid "));

      Random rnd = new Random(6);
      PipelineIT.sendAllTarget(producer, rnd);
      List<String> sent = new ArrayList<>();
      selected.subscribe(List.of("selected"));
      Map<String, Integer> seen = new HashMap<>();
      // the target first: documents scored before it is applied are not selected
      awaitTopicRecords(kafka, "control-events", 1);
      sent.addAll(PipelineIT.sendDocs(producer, "r", 30, new HashSet<>(), rnd));
      pollAccounted(selected, seen, sent.size(), Duration.ofSeconds(90));
      assertAccountedOnce("run --flink-cluster", sent, seen);

      List<ProcessHandle> flink = p.descendants().toList();
      assertThat(flink).hasSizeGreaterThanOrEqualTo(2); // a JobManager and a TaskManager
      p.destroy(); // SIGTERM, as Ctrl-C
      assertThat(p.waitFor(1, TimeUnit.MINUTES)).isTrue();
      for (ProcessHandle h : flink) {
        h.onExit().get(30, TimeUnit.SECONDS);
      }
    }
  }

  private static void awaitTopicRecords(EmbeddedKafka kafka, String topic, int n) throws Exception {
    try (KafkaConsumer<byte[], byte[]> c = readCommitted(kafka, "wait-" + topic)) {
      c.subscribe(List.of(topic));
      int seen = 0;
      long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
      while (seen < n) {
        assertThat(System.nanoTime())
            .as("waiting for %d records on %s", n, topic)
            .isLessThan(deadline);
        seen += c.poll(Duration.ofMillis(300)).count();
      }
    }
  }
}
