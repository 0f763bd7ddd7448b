package io.nagselector.job;

import static io.nagselector.testutils.KafkaClients.bytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nagselector.avro.CrawlDocument;
import io.nagselector.avro.SelectedDocument;
import io.nagselector.broker.EmbeddedKafka;
import io.nagselector.broker.TestCa;
import io.nagselector.config.FlinkSettings;
import io.nagselector.config.JobConfig;
import io.nagselector.config.KafkaClientConfig;
import io.nagselector.io.UserInputException;
import io.nagselector.model.TinyCheckpoint;
import io.nagselector.testutils.FastOrder;
import io.nagselector.testutils.Jobs;
import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.apache.flink.client.program.ClusterClient;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.jobgraph.JobGraph;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.InjectClusterClient;
import org.apache.flink.util.InstantiationUtil;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The job against a broker that only speaks SASL/SCRAM-SHA-512 over TLS, with a CA made in the
 * test: it selects with the right credentials; wrong ones or an untrusted CA fail at start-up with
 * a message naming the setting; the password shows up in no output, message or Flink configuration.
 */
class SecureKafkaIT extends PipelineIT {
  private static final String SECRET = "s3cret-Pa55-do-not-print";
  private static final String WRONG = "wr0ng-Pa55-do-not-print";

  @TempDir Path dir;

  private Map<String, String> secure(EmbeddedKafka kafka, Path ca, String password) {
    return saslSsl(kafka, ca, "nag-selector", password);
  }

  @Test
  void theJobRunsOverScramAndTlsAndRefusesWrongCredentialsUpFront(
      @InjectClusterClient ClusterClient<?> flink) throws Exception {
    TestCa ca = TestCa.create(Files.createDirectories(dir.resolve("ca")));
    TestCa other = TestCa.create(Files.createDirectories(dir.resolve("other-ca")));
    Path model = TinyCheckpoint.decoder("qwen3", 4).write(dir.resolve("model"), "F32", 1);
    try (EmbeddedKafka kafka =
        EmbeddedKafka.startWithScramOverTls(ca.brokerKeystore(), ca.password())) {
      createJobTopics(kafka);
      kafka.createScramUser("nag-selector", SECRET);
      // the password as a Kubernetes Secret mounts it, and the config refers to it
      Path secrets = Files.writeString(dir.resolve("kafka-user.properties"), "password=" + SECRET);
      String reference = "${file:" + secrets + ":password}";
      JobConfig config =
          testConfig(kafka, model, dir, "300ms", secure(kafka, ca.caPem(), reference));
      KafkaClientConfig.checkConnection(config, Duration.ofSeconds(30));
      assertThat(FlinkSettings.defaults(config).toMap().toString()).doesNotContain(SECRET);
      // the job graph Flink serializes, and with HA persists, holds the reference, not the secret
      // (and the same check finds a password written into the config)
      assertThat(serializedJobGraph(config)).contains(reference).doesNotContain(SECRET);
      assertThat(
              serializedJobGraph(
                  testConfig(kafka, model, dir, "300ms", secure(kafka, ca.caPem(), SECRET))))
          .contains(SECRET);

      JobClient job = startJob(config, null);
      Random rnd = new Random(3);
      try (KafkaProducer<byte[], byte[]> producer =
              new KafkaProducer<>(
                  KafkaClientConfig.with(KafkaClientConfig.of(config)),
                  new ByteArraySerializer(),
                  new ByteArraySerializer());
          KafkaConsumer<byte[], byte[]> consumer =
              new KafkaConsumer<>(
                  KafkaClientConfig.with(
                      KafkaClientConfig.of(config),
                      "group.id",
                      "check",
                      "auto.offset.reset",
                      "earliest",
                      "isolation.level",
                      "read_committed"),
                  new ByteArrayDeserializer(),
                  new ByteArrayDeserializer())) {
        upsertAllTarget(config, rnd);
        for (int i = 0; i < 20; i++) {
          CrawlDocument d =
              CrawlDocument.newBuilder()
                  .setId("d" + i)
                  .setText(TinyCheckpoint.randomText(rnd, 5 + i))
                  .build();
          producer.send(new ProducerRecord<>("crawl", bytes(CrawlDocument.getEncoder().encode(d))));
        }
        producer.flush();
        consumer.subscribe(List.of("selected"));
        List<String> selected = new ArrayList<>();
        long deadline = System.currentTimeMillis() + 60_000;
        while (selected.size() < 20 && System.currentTimeMillis() < deadline) {
          for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(300))) {
            selected.add(SelectedDocument.getDecoder().decode(r.value()).getId());
          }
        }
        assertThat(selected).hasSize(20).doesNotHaveDuplicates();
        // what the Flink web UI shows of the cluster and of the running job
        String id = job.getJobID().toString();
        for (String page :
            List.of(
                "/jobmanager/config",
                "/jobmanager/environment",
                "/taskmanagers",
                "/jobs/" + id,
                "/jobs/" + id + "/config",
                "/jobs/" + id + "/plan",
                "/jobs/" + id + "/exceptions",
                "/jobs/" + id + "/checkpoints/config")) {
          String body = get(flink.getWebInterfaceURL() + page);
          assertThat(body).as(page).isNotBlank().doesNotContain(SECRET);
        }
      } finally {
        Jobs.cancel(job);
      }

      // wrong credentials, an untrusted CA: refused at start-up, naming the setting, not the secret
      JobConfig wrong = testConfig(kafka, model, dir, "300ms", secure(kafka, ca.caPem(), WRONG));
      assertThatThrownBy(() -> KafkaClientConfig.checkConnection(wrong, Duration.ofSeconds(30)))
          .isInstanceOf(UserInputException.class)
          .hasMessageContaining("refused the credentials of kafka.sasl-username 'nag-selector'")
          .hasMessageNotContaining(WRONG)
          .hasMessageNotContaining(SECRET);
      JobConfig untrusted =
          testConfig(kafka, model, dir, "300ms", secure(kafka, other.caPem(), SECRET));
      assertThatThrownBy(() -> KafkaClientConfig.checkConnection(untrusted, Duration.ofSeconds(30)))
          .isInstanceOf(UserInputException.class)
          .hasMessageContaining("TLS handshake")
          .hasMessageContaining("kafka.ssl-truststore")
          .hasMessageNotContaining(SECRET);

      // the packaged command line, as an operator runs it: everything it prints, grepped
      Path cli = dir.resolve("cli.yaml");
      Files.copy(Path.of("config", "local.yaml"), cli);
      String ok = jar(cli, secure(kafka, ca.caPem(), SECRET), 0, "target", "list");
      assertThat(ok).contains("NAME", "all").doesNotContain(SECRET);
      String refused = jar(cli, secure(kafka, ca.caPem(), WRONG), 2, "target", "list");
      assertThat(refused)
          .startsWith(
              "error: Kafka at " + kafka.secureBootstrapServers() + " refused the credentials")
          .doesNotContain(WRONG)
          .doesNotContain(SECRET);
      String run = jar(cli, secure(kafka, ca.caPem(), WRONG), 2, "run", "--config", cli.toString());
      assertThat(run).contains("refused the credentials").doesNotContain(WRONG);
    }
  }

  /**
   * The packaged job as `run` starts it, logging through slf4j-simple at INFO (Kafka's clients
   * print their whole configuration there) and DEBUG for Kafka's security classes: nothing it or a
   * `target upsert` logs holds the password.
   */
  @Test
  void theLogsOfTheJobAndTheCommandsNeverHoldThePassword() throws Exception {
    TestCa ca = TestCa.create(Files.createDirectories(dir.resolve("ca")));
    Path model = TinyCheckpoint.decoder("qwen3", 4).write(dir.resolve("model"), "F32", 1);
    try (EmbeddedKafka kafka =
        EmbeddedKafka.startWithScramOverTls(ca.brokerKeystore(), ca.password())) {
      createJobTopics(kafka);
      kafka.createScramUser("nag-selector", SECRET);
      Map<String, String> env = secure(kafka, ca.caPem(), SECRET);
      env.put("NAG_MODEL_PATH", model.toString());
      env.put("NAG_MODEL_TOP_K", "4");
      env.put("NAG_MODEL_MAX_LENGTH", "16");
      env.put("NAG_CHECKPOINTS_INTERVAL", "1s");
      env.putAll(FastOrder.ENV);
      env.put("NAG_CHECKPOINTS_DIR", dir.resolve("checkpoints").toUri().toString());
      Path jobLog = dir.resolve("run.log");
      ProcessBuilder run = packaged(true, "run", "--config", "config/local.yaml");
      run.environment().putAll(env);
      Process job = run.redirectErrorStream(true).redirectOutput(jobLog.toFile()).start();
      String command;
      try {
        command =
            runToEnd(
                packaged(
                    true,
                    "target",
                    "upsert",
                    "--config",
                    "config/local.yaml",
                    "--name",
                    "science",
                    "--examples",
                    "examples/demo/targets/science.jsonl",
                    "--wait",
                    "--timeout",
                    "150s"),
                env,
                0);
        assertThat(command).contains("APPLIED UPSERT science version 1");
        assertThat(job.isAlive()).isTrue();
      } finally {
        job.destroy();
        job.waitFor(60, TimeUnit.SECONDS);
        job.destroyForcibly();
      }
      String logged = Files.readString(jobLog, StandardCharsets.UTF_8);
      // the grep means something only if the clients' configurations were logged
      assertThat(logged)
          .contains("ProducerConfig values", "ConsumerConfig values", "sasl.jaas.config = [hidden]")
          .contains("transactional.id")
          .doesNotContain(SECRET);
      assertThat(command).contains("sasl.jaas.config = [hidden]").doesNotContain(SECRET);
    }
  }

  /**
   * The packaged jar's command line; with {@code logging}, slf4j-simple is its logger, chosen
   * explicitly over the bundled nop.
   */
  private static ProcessBuilder packaged(boolean logging, String... args) {
    List<String> command =
        new ArrayList<>(
            List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
    if (logging) {
      String simple =
          Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
              .filter(entry -> entry.contains("slf4j-simple"))
              .findFirst()
              .orElseThrow();
      command.addAll(
          List.of(
              "-Dslf4j.provider=org.slf4j.simple.SimpleServiceProvider",
              "-Dorg.slf4j.simpleLogger.defaultLogLevel=info",
              "-Dorg.slf4j.simpleLogger.log.org.apache.kafka.common.security=debug",
              "-cp",
              simple + File.pathSeparator + Path.of("target", "nag-selector.jar"),
              "io.nagselector.cli.Main"));
    } else {
      command.addAll(List.of("-jar", Path.of("target", "nag-selector.jar").toString()));
    }
    command.addAll(List.of(args));
    return new ProcessBuilder(command);
  }

  private static String get(String url) throws Exception {
    HttpResponse<String> response =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create(url)).build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(url).isEqualTo(200);
    return response.body();
  }

  /** Runs the packaged jar with {@code env}; returns all it printed. */
  private static String jar(Path config, Map<String, String> env, int exit, String... args)
      throws Exception {
    List<String> all = new ArrayList<>(List.of(args));
    if (!all.contains("--config")) {
      all.addAll(List.of("--config", config.toString()));
    }
    return runToEnd(packaged(false, all.toArray(String[]::new)), env, exit);
  }

  /** Runs {@code command} with {@code env} to its end; returns all it printed. */
  private static String runToEnd(ProcessBuilder command, Map<String, String> env, int exit)
      throws Exception {
    command.redirectErrorStream(true).environment().putAll(env);
    Process p = command.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(180, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out).isEqualTo(exit);
    return out;
  }

  /** The job's graph as Flink serializes it to submit it, as text. */
  private static String serializedJobGraph(JobConfig config) throws Exception {
    StreamExecutionEnvironment env =
        StreamExecutionEnvironment.getExecutionEnvironment(FlinkSettings.defaults(config));
    SelectorApp.assemble(env, config, SelectorApp.fingerprint(config));
    JobGraph graph = env.getStreamGraph().getJobGraph();
    return new String(InstantiationUtil.serializeObject(graph), StandardCharsets.ISO_8859_1);
  }
}
