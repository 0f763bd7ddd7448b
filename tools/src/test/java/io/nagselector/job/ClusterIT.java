package io.nagselector.job;

import static io.nagselector.testutils.Accounting.assertAccountedOnce;
import static io.nagselector.testutils.KafkaClients.producer;
import static io.nagselector.testutils.KafkaClients.readCommitted;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.nagselector.avro.CommandStatus;
import io.nagselector.avro.ControlEvent;
import io.nagselector.avro.SelectedDocument;
import io.nagselector.broker.EmbeddedKafka;
import io.nagselector.cluster.LocalFlinkCluster;
import io.nagselector.cluster.SessionClusters;
import io.nagselector.cluster.SupervisedCluster;
import io.nagselector.cluster.ZooKeeperServer;
import io.nagselector.config.JobConfig;
import io.nagselector.control.ControlClient;
import io.nagselector.testutils.Await;
import io.nagselector.testutils.Broker;
import io.nagselector.testutils.FastOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged job artifact on a real Flink cluster: separate JobManager and TaskManager JVMs
 * started with Flink's own entry points from Flink's jars (target/flink-dist/lib), the job jar in
 * usrlib/ under Flink's user classloader, DJL and libtorch in lib/ (nag-selector-lib.jar), the
 * bundled model, and the broker in this JVM, outside the cluster. The cluster is configured as the
 * Flink Kubernetes operator configures an application deployment.
 */
class ClusterIT {
  @RegisterExtension final Broker broker = new Broker();

  private static final LocalFlinkCluster.Layout LAYOUT =
      LocalFlinkCluster.Layout.of(Path.of("target"));
  private static final Path CONFIG = Path.of("config/local.yaml").toAbsolutePath();
  private static final Duration WAIT = ClusterChecks.WAIT;
  @TempDir Path dir;
  private final Random rnd = new Random(15);
  private final Set<String> texts = new HashSet<>();

  /** The cluster's checkpoint interval and savepoint directory, quick failure detection. */
  private Map<String, String> flinkConfig(String name) {
    Map<String, String> c = new HashMap<>();
    c.put("cluster.intercept-user-system-exit", "THROW");
    c.put("execution.checkpointing.interval", "2 s"); // the job config says 30 s: the cluster wins
    c.put("restart-strategy.type", "fixed-delay");
    c.put("restart-strategy.fixed-delay.attempts", "100");
    c.put("restart-strategy.fixed-delay.delay", "1 s");
    c.put("heartbeat.interval", "1000");
    c.put("heartbeat.timeout", "5000");
    c.put(
        "execution.checkpointing.savepoint-dir",
        dir.resolve(name + "-savepoints").toUri().toString());
    return c;
  }

  /** What the Flink Kubernetes operator sets for an application deployment, too. */
  private Map<String, String> applicationConfig(String name) {
    Map<String, String> c = new HashMap<>(SupervisedCluster.operatorSettings());
    c.putAll(flinkConfig(name));
    return c;
  }

  private Map<String, String> jobEnvironment(EmbeddedKafka kafka, String name) {
    Map<String, String> env = new HashMap<>(FastOrder.ENV);
    env.put("NAG_KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers());
    env.put("NAG_SELECTION_SHARDS", "4");
    env.put("NAG_CHECKPOINTS_DIR", dir.resolve(name + "-checkpoints").toUri().toString());
    return env;
  }

  private LocalFlinkCluster application(
      EmbeddedKafka kafka, String name, Map<String, String> moreEnv, String savepoint)
      throws Exception {
    return application(kafka, name, moreEnv, savepoint, Map.of());
  }

  private LocalFlinkCluster application(
      EmbeddedKafka kafka,
      String name,
      Map<String, String> moreEnv,
      String savepoint,
      Map<String, String> moreFlink)
      throws Exception {
    Map<String, String> env = new HashMap<>(jobEnvironment(kafka, name));
    env.putAll(moreEnv);
    Map<String, String> flink = new HashMap<>(applicationConfig(name));
    flink.putAll(moreFlink);
    LocalFlinkCluster cluster =
        LocalFlinkCluster.application(
            LAYOUT,
            dir.resolve(name),
            flink,
            env,
            JobMain.class.getName(),
            List.of(JobMain.CONFIG_OPTION, CONFIG.toString()),
            savepoint);
    cluster.awaitRest(WAIT);
    return cluster;
  }

  /**
   * The application cluster's life, one phase after another (each needs the one before): the job
   * answers a target and selects; a TaskManager killed mid-stream; a stop with a savepoint through
   * the REST API; a new cluster from it. Every assertion names its phase.
   */
  @Test
  void theJobArtifactRunsOnAFlinkClusterOfSeparateJvms() throws Exception {
    EmbeddedKafka kafka = broker.kafka();
    try (KafkaProducer<byte[], byte[]> producer = producer(kafka);
        KafkaConsumer<byte[], byte[]> selected = readCommitted(kafka, "check")) {
      PipelineIT.createJobTopics(kafka);
      selected.subscribe(List.of("selected"));
      Map<String, Integer> seen = new HashMap<>();
      List<String> sent = new ArrayList<>();

      String savepoint;
      Path dataset = dir.resolve("dataset");
      try (LocalFlinkCluster cluster =
          application(kafka, "app", Map.of("NAG_DATASET_PATH", dataset.toUri().toString()), null)) {
        Process taskManager = cluster.startTaskManager();
        String job = ClusterChecks.awaitJob(cluster, "RUNNING");
        assertThat(
                cluster
                    .rest()
                    .get("/jobs/" + job + "/checkpoints/config")
                    .path("interval")
                    .asLong())
            .as("the cluster's checkpoint interval wins over the job config's")
            .isEqualTo(2000);
        assertThat(Files.readString(cluster.jobManagerLog()))
            .contains(
                "execution.checkpointing.interval: 2 s (the cluster's; the job config's 30000 ms is"
                    + " not used)");

        // phase 1: a target through the CLI, answered by the job; then documents
        targetUpsertWaits(kafka);
        sent.addAll(PipelineIT.sendDocs(producer, "a", 100, texts, rnd));
        pollSelected(selected, seen, sent.size());
        assertThat(seen).as("phase 1: every document selected").hasSize(sent.size());

        // phase 2: kill -9 the TaskManager mid-stream, more documents while it is gone, a new one
        sent.addAll(PipelineIT.sendDocs(producer, "b", 200, texts, rnd));
        pollSelected(selected, seen, 110);
        cluster.kill(taskManager);
        ClusterChecks.awaitFailover(cluster, job);
        sent.addAll(PipelineIT.sendDocs(producer, "b-", 100, texts, rnd));
        cluster.startTaskManager();
        pollSelected(selected, seen, sent.size());
        assertAccountedOnce("cluster: TaskManager killed (kill -9)", sent, seen);
        assertThat(SessionClusters.state(cluster.rest(), job)).isEqualTo("RUNNING");
        assertThat(ClusterChecks.failovers(cluster, job))
            .as("one fault, one failover: no second one follows from it")
            .hasSize(1);
        assertThat(ClusterChecks.nativeLibraries(cluster.jobManager()))
            .as("the JobManager builds the job without loading libtorch or the tokenizers")
            .isEmpty();
        assertThat(ClusterChecks.nativeLibraries(cluster.taskManagers().get(0)))
            .contains("libtorch_cpu.so");

        // phase 4, first half: stop with a savepoint through the REST API
        assertThat(cluster.jobManager().isAlive()).as("the JobManager alive throughout").isTrue();
        assertThat(Files.readString(cluster.jobManagerLog())).doesNotContain("System.exit");
        savepoint = cluster.rest().stopWithSavepoint(job, dir.resolve("savepoints"), WAIT);
      }
      // the Parquet dataset, written by the job artifact's own Parquet and Hadoop classes through
      // the kill -9: every selection a row of exactly one finished shard
      List<String> rows = new ArrayList<>();
      DatasetFiles.read(dataset).values().forEach(r -> r.forEach(d -> rows.add(d.getId())));
      assertThat(rows).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(sent);

      // phase 4: a new application cluster from the savepoint, more documents
      try (LocalFlinkCluster cluster =
          application(
              kafka,
              "restored",
              Map.of("NAG_DATASET_PATH", dataset.toUri().toString()),
              savepoint)) {
        cluster.startTaskManager();
        ClusterChecks.awaitJob(cluster, "RUNNING");
        sent.addAll(PipelineIT.sendDocs(producer, "c", 100, texts, rnd));
        pollSelected(selected, seen, sent.size());
        assertAccountedOnce("cluster: restored from a savepoint", sent, seen);
      }
    }
  }

  /** A job that cannot start fails its application with the reason; the JobManager lives on. */
  @Test
  void aBadConfigurationFailsTheApplicationButNotTheJobManager() throws Exception {
    EmbeddedKafka kafka = broker.kafka();
    try (LocalFlinkCluster cluster =
        application(kafka, "bad", Map.of("NAG_SELECTION_SHARDS", "0"), null)) {
      String job = ClusterChecks.awaitJob(cluster, "FAILED");
      JsonNode entries =
          cluster
              .rest()
              .get("/jobs/" + job + "/exceptions")
              .path("exceptionHistory")
              .path("entries");
      assertThat(entries.toString()).contains("selection.shards must be an integer >= 1");
      Await.holdsFor(
          "the JobManager survives a failed start",
          Duration.ofSeconds(1),
          () -> cluster.jobManager().isAlive());
      assertThat(Files.readString(cluster.jobManagerLog()))
          .contains("selection.shards must be an integer >= 1");
    }
  }

  /**
   * A session cluster, the job submitted through the REST API, cancelled and submitted again, then
   * submitted once more to a new JobManager after a failover: the same TaskManager JVM, which
   * already loaded libtorch, runs each under a new user classloader.
   */
  @Test
  void aSessionClusterRunsTheJobAgainInTheSameTaskManager() throws Exception {
    EmbeddedKafka kafka = broker.kafka();
    try (KafkaProducer<byte[], byte[]> producer = producer(kafka);
        KafkaConsumer<byte[], byte[]> out = readCommitted(kafka, "check");
        LocalFlinkCluster cluster =
            SessionClusters.start(
                LAYOUT,
                dir.resolve("session"),
                flinkConfig("session"),
                jobEnvironment(kafka, "session"))) {
      PipelineIT.createJobTopics(kafka);
      out.subscribe(List.of("selected", "control-events"));
      cluster.awaitRest(WAIT);
      Process taskManager = cluster.startTaskManager();
      String jar = SessionClusters.uploadJar(cluster.rest(), LAYOUT.jobJar());
      List<String> args = List.of(JobMain.CONFIG_OPTION, CONFIG.toString());
      Map<String, Integer> seen = new HashMap<>();
      List<String> sent = new ArrayList<>();

      String first = SessionClusters.runJar(cluster.rest(), jar, JobMain.class.getName(), args);
      JobConfig client =
          JobConfig.load(CONFIG, Map.of("NAG_KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers()));
      try (ControlClient control = ControlClient.open(client)) {
        String upsert = control.send(PipelineIT.allTarget(rnd));
        assertThat(control.await(upsert, WAIT).getStatus()).isEqualTo(CommandStatus.APPLIED);
      }
      int[] applied = {0};
      pollSelected(out, seen, Integer.MAX_VALUE, applied, 1); // the same answer, as out reads it
      sent.addAll(PipelineIT.sendDocs(producer, "d", 50, texts, rnd));
      pollSelected(out, seen, sent.size(), applied);
      assertThat(seen).as("session, first run").hasSize(50);
      // a run without state resumes from the offsets committed at the last checkpoint
      ClusterChecks.awaitCrawlOffsetsCommitted(kafka);
      cluster.rest().cancel(first);
      ClusterChecks.awaitState(cluster, first, "CANCELED");

      String second = SessionClusters.runJar(cluster.rest(), jar, JobMain.class.getName(), args);
      ClusterChecks.awaitState(cluster, second, "RUNNING");
      // a start without state replays the control topic: wait for the target's second answer
      pollSelected(out, seen, Integer.MAX_VALUE, applied, 2);
      sent.addAll(PipelineIT.sendDocs(producer, "e", 50, texts, rnd));
      pollSelected(out, seen, sent.size(), applied);
      assertAccountedOnce("session: cancelled and submitted again", sent, seen);
      assertThat(taskManager.isAlive()).as("the same TaskManager JVM ran both").isTrue();

      // a JobManager failover that keeps the TaskManager: the job submitted to the new one
      ClusterChecks.awaitCrawlOffsetsCommitted(kafka);
      SessionClusters.failOverJobManager(cluster);
      cluster.awaitRest(WAIT);
      String third =
          SessionClusters.runJar(
              cluster.rest(),
              SessionClusters.uploadJar(cluster.rest(), LAYOUT.jobJar()),
              JobMain.class.getName(),
              args);
      ClusterChecks.awaitState(cluster, third, "RUNNING");
      pollSelected(out, seen, Integer.MAX_VALUE, applied, 3);
      sent.addAll(PipelineIT.sendDocs(producer, "f", 50, texts, rnd));
      pollSelected(out, seen, sent.size(), applied);
      assertAccountedOnce("session: after a JobManager failover", sent, seen);
      assertThat(cluster.taskManagers()).containsExactly(taskManager);
      assertThat(taskManager.isAlive()).as("the same TaskManager JVM ran all three").isTrue();
      assertThat(Files.readString(SessionClusters.taskManagerLog(cluster, 1)))
          .doesNotContain("UnsatisfiedLinkError");
    }
  }

  /**
   * JobManager failover with high availability, run: ZooKeeper HA (the contract Kubernetes HA
   * implements too) and kill -9 of the JobManager mid-stream, then a new one. The job resumes from
   * its latest checkpoint under the same job id, and main, run again, attaches to it: still one
   * job. Then the case docs/deployment.md names: the broker down while a new JobManager runs main.
   */
  @Test
  void aJobManagerKilledUnderHaResumesTheSameJobFromItsLatestCheckpoint() throws Exception {
    EmbeddedKafka kafka = broker.kafka();
    try (ZooKeeperServer zk = ZooKeeperServer.start(LAYOUT.flinkLib(), dir.resolve("zookeeper"));
        KafkaProducer<byte[], byte[]> producer = producer(kafka);
        KafkaConsumer<byte[], byte[]> selected = readCommitted(kafka, "check")) {
      PipelineIT.createJobTopics(kafka);
      selected.subscribe(List.of("selected"));
      Map<String, Integer> seen = new HashMap<>();
      List<String> sent = new ArrayList<>();
      Map<String, String> ha =
          Map.of(
              "high-availability.type",
              "zookeeper",
              "high-availability.zookeeper.quorum",
              zk.quorum(),
              "high-availability.storageDir",
              dir.resolve("ha").toUri().toString(),
              "high-availability.cluster-id",
              "nag-selector-ha-it");
      try (LocalFlinkCluster cluster = application(kafka, "ha", Map.of(), null, ha)) {
        Process taskManager = cluster.startTaskManager();
        String job = ClusterChecks.awaitJob(cluster, "RUNNING");
        targetUpsertWaits(kafka);
        sent.addAll(PipelineIT.sendDocs(producer, "a", 100, texts, rnd));
        pollSelected(selected, seen, sent.size());

        // kill -9 of the JobManager while documents stream, and a new one
        sent.addAll(PipelineIT.sendDocs(producer, "b", 200, texts, rnd));
        pollSelected(selected, seen, 130);
        SessionClusters.failOverJobManager(cluster);
        cluster.awaitRest(WAIT);
        ClusterChecks.awaitState(cluster, job, "RUNNING");
        assertThat(jobIds(cluster)).as("main run again attached: one job").containsExactly(job);
        sent.addAll(PipelineIT.sendDocs(producer, "c", 100, texts, rnd));
        pollSelected(selected, seen, sent.size());
        assertAccountedOnce("HA: JobManager killed (kill -9), a new one", sent, seen);
        assertThat(cluster.taskManagers()).containsExactly(taskManager);

        // the broker unreachable while a new JobManager runs main
        ClusterChecks.awaitCrawlOffsetsCommitted(kafka);
        kafka.stop();
        SessionClusters.failOverJobManager(cluster);
        Process rerun = cluster.jobManager();
        // main cannot reach Kafka within its 30 s check: fatal, the JobManager exits
        assertThat(rerun.waitFor(3, TimeUnit.MINUTES)).as("the rerun's JobManager exits").isTrue();
        String log = Files.readString(cluster.jobManagerLog());
        kafka.restart();
        SessionClusters.failOverJobManager(cluster); // as Kubernetes restarts the pod
        cluster.awaitRest(WAIT);
        ClusterChecks.awaitState(cluster, job, "RUNNING");
        assertThat(jobIds(cluster))
            .as("after the rerun without Kafka: one job")
            .containsExactly(job);
        sent.addAll(PipelineIT.sendDocs(producer, "d", 100, texts, rnd));
        pollSelected(selected, seen, sent.size());
        assertAccountedOnce("HA: main rerun while Kafka was unreachable", sent, seen);
        assertThat(log)
            .as("the rerun's JobManager said why")
            .contains("Kafka at " + kafka.bootstrapServers());
      }
    }
  }

  /** Every job the cluster knows. */
  private static List<String> jobIds(LocalFlinkCluster cluster) throws Exception {
    List<String> ids = new ArrayList<>();
    cluster.rest().get("/jobs").path("jobs").forEach(j -> ids.add(j.path("id").asText()));
    return ids;
  }

  private void targetUpsertWaits(EmbeddedKafka kafka) throws Exception {
    Path examples = dir.resolve("all.jsonl");
    Files.writeString(
        examples,
        "{\"doc\": \"w3 w5 w8 w13\"}\n{\"doc\": \"w21 w34 w55\"}\n",
        StandardCharsets.UTF_8);
    ProcessBuilder target =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar",
                "target/nag-selector.jar",
                "target",
                "upsert",
                "--name",
                "all",
                "--examples",
                examples.toString(),
                "--policy",
                "threshold:0",
                "--wait")
            .redirectErrorStream(true);
    target.environment().put("NAG_KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers());
    Process p = target.start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(2, TimeUnit.MINUTES)).isTrue();
    assertThat(p.exitValue()).as(output).isZero();
    assertThat(output).contains("APPLIED UPSERT all version 1");
  }

  private static void pollSelected(
      KafkaConsumer<byte[], byte[]> consumer, Map<String, Integer> seen, int until)
      throws Exception {
    pollSelected(consumer, seen, until, new int[1]);
  }

  private static void pollSelected(
      KafkaConsumer<byte[], byte[]> consumer, Map<String, Integer> seen, int until, int[] applied)
      throws Exception {
    pollSelected(consumer, seen, until, applied, Integer.MAX_VALUE);
  }

  /**
   * Reads selected documents into {@code seen} (and counts APPLIED answers on control-events) until
   * {@code seen} has {@code until} ids or {@code appliedUntil} answers arrived.
   */
  private static void pollSelected(
      KafkaConsumer<byte[], byte[]> consumer,
      Map<String, Integer> seen,
      int until,
      int[] applied,
      int appliedUntil)
      throws Exception {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (seen.size() < until && applied[0] < appliedUntil) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError(
            String.format(
                "waited %s for %s selected documents or %s APPLIED answers, got %d and %d",
                WAIT,
                until == Integer.MAX_VALUE ? "-" : until,
                appliedUntil == Integer.MAX_VALUE ? "-" : appliedUntil,
                seen.size(),
                applied[0]));
      }
      for (var r : consumer.poll(Duration.ofMillis(300))) {
        if (r.topic().equals("selected")) {
          seen.merge(SelectedDocument.getDecoder().decode(r.value()).getId(), 1, Integer::sum);
        } else if (ControlEvent.getDecoder().decode(r.value()).getStatus()
            == CommandStatus.APPLIED) {
          applied[0]++;
        }
      }
    }
  }
}
