package io.nagselector.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.nagselector.avro.ControlEvent;
import io.nagselector.avro.CrawlDocument;
import io.nagselector.broker.EmbeddedKafka;
import io.nagselector.config.FlinkSettings;
import io.nagselector.config.JobConfig;
import io.nagselector.control.ControlClient;
import io.nagselector.job.SelectorApp;
import io.nagselector.kafka.JobTopics;
import io.nagselector.model.TinyCheckpoint;
import io.nagselector.testutils.Await;
import io.nagselector.testutils.Broker;
import io.nagselector.testutils.FastOrder;
import io.nagselector.testutils.Jobs;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The `target` command against a running job: each command answered, exit codes as documented. */
class TargetCommandIT {
  @RegisterExtension static final Broker BROKER = new Broker();

  @RegisterExtension
  static final MiniClusterExtension FLINK =
      new MiniClusterExtension(
          new MiniClusterResourceConfiguration.Builder()
              .setNumberTaskManagers(1)
              .setNumberSlotsPerTaskManager(2)
              .build());

  @TempDir Path dir;

  @Test
  void sendsEveryCommandAndWaitsForItsAnswer() throws Exception {
    Path model = TinyCheckpoint.decoder("qwen3", 3).write(dir.resolve("model"), "F32", 1);
    Random rnd = new Random(2);
    Path examples = dir.resolve("examples.jsonl");
    Files.write(
        examples,
        List.of(
            "{\"doc\": \"" + TinyCheckpoint.randomText(rnd, 8) + "\"}",
            "{\"doc\": \"" + TinyCheckpoint.randomText(rnd, 9) + "\"}"));
    EmbeddedKafka kafka = BROKER.kafka();
    Map<String, String> env = new HashMap<>();
    env.put("NAG_KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers());
    env.put("NAG_MODEL_PATH", model.toString());
    env.put("NAG_MODEL_TOP_K", "4");
    env.put("NAG_MODEL_MAX_LENGTH", "16");
    env.put("NAG_CHECKPOINTS_INTERVAL", "300ms");
    env.putAll(FastOrder.ENV);
    env.put("NAG_CHECKPOINTS_DIR", dir.resolve("checkpoints").toUri().toString());
    JobConfig config = JobConfig.load(Path.of("config/local.yaml"), env);
    kafka.createTopics(JobTopics.toCreate(config));
    StreamExecutionEnvironment flink =
        StreamExecutionEnvironment.getExecutionEnvironment(FlinkSettings.defaults(config));
    flink.setParallelism(1);
    SelectorApp.assemble(flink, config, SelectorApp.fingerprint(config));
    JobClient job = flink.executeAsync("target-command-it");

    // the command line reads only the Kafka settings from its config file
    Path cli = dir.resolve("cli.yaml");
    Files.writeString(
        cli,
        Files.readString(Path.of("config/local.yaml"))
            .replace("127.0.0.1:9092", kafka.bootstrapServers()));
    String[] common = {"--config", cli.toString(), "--wait", "--timeout", "60s"};
    assertThat(
            run(
                "upsert",
                "--name",
                "sci",
                "--examples",
                examples.toString(),
                "--policy",
                "threshold:0",
                "--command-id",
                "c1",
                common))
        .isZero();
    assertThat(
            run(
                "add-examples",
                "--name",
                "sci",
                "--examples",
                examples.toString(),
                "--expected-version",
                "1",
                "--command-id",
                "c2",
                common))
        .isZero();
    assertThat(run("pause", "--name", "sci", "--command-id", "c3", common)).isZero();
    assertThat(run("resume", "--name", "sci", "--command-id", "c4", common)).isZero();
    assertThat(run("remove", "--name", "ghost", "--command-id", "c5", common))
        .isEqualTo(TargetCommandLine.REJECTED);
    assertThat(
            run(
                "upsert",
                "--name",
                "sci",
                "--examples",
                examples.toString(),
                "--expected-version",
                "1",
                "--command-id",
                "c6",
                common))
        .isEqualTo(TargetCommandLine.REJECTED);
    assertThat(
            run(
                "upsert",
                "--name",
                "sci",
                "--policy",
                "nonsense",
                "--examples",
                examples.toString(),
                common))
        .isEqualTo(Main.USER_ERROR);
    // 12 documents, all accepted at threshold 0: `target list` shows them once published
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(
            Map.of("bootstrap.servers", kafka.bootstrapServers()),
            new ByteArraySerializer(),
            new ByteArraySerializer())) {
      for (int i = 0; i < 12; i++) {
        ByteBuffer b =
            CrawlDocument.getEncoder()
                .encode(
                    CrawlDocument.newBuilder()
                        .setId("d" + i)
                        .setText(TinyCheckpoint.randomText(rnd, 6))
                        .build());
        byte[] value = new byte[b.remaining()];
        b.get(value);
        producer.send(new ProducerRecord<>("crawl", value));
      }
    }
    String listed =
        Await.value(
            "target list to show 12 accepted",
            Duration.ofSeconds(60),
            () -> {
              StringWriter text = new StringWriter();
              assertThat(
                      Main.commandLine()
                          .setOut(new PrintWriter(text))
                          .execute("target", "list", "--config", cli.toString()))
                  .isZero();
              return text.toString().contains(" 12 ") ? text.toString() : null;
            });
    assertThat(listed.lines().skip(1).map(l -> List.of(l.trim().split(" +"))).toList())
        .containsExactly(List.of("sci", "2", "threshold:0.0", "4", "no", "12", "0.0000"));
    // a command sent without --wait: `list --wait` waits for the job's answer to it
    assertThat(
            run(
                "upsert",
                "--name",
                "extra",
                "--examples",
                examples.toString(),
                "--command-id",
                "c8",
                "--config",
                cli.toString()))
        .isZero();
    StringWriter afterWait = new StringWriter();
    assertThat(
            Main.commandLine()
                .setOut(new PrintWriter(afterWait))
                .execute(
                    "target", "list", "--wait", "--timeout", "60s", "--config", cli.toString()))
        .isZero();
    assertThat(afterWait.toString()).containsPattern("(?m)^extra +1 +fraction:0.2 +2 +no ");
    Jobs.cancel(job);

    List<String> events = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> consumer = ControlClient.events(config, true)) {
      long deadline = System.currentTimeMillis() + 10_000;
      while (events.size() < 7 && System.currentTimeMillis() < deadline) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(300))) {
          ControlEvent e = ControlEvent.getDecoder().decode(r.value());
          events.add(
              e.getCommandId()
                  + " "
                  + e.getStatus()
                  + " "
                  + (e.getReason() == null
                      ? e.getVersion() + " " + e.getExampleCount()
                      : e.getReason()));
        }
      }
    }
    assertThat(events)
        .containsExactly(
            "c1 APPLIED 1 2",
            "c2 APPLIED 2 4",
            "c3 APPLIED 2 4",
            "c4 APPLIED 2 4",
            "c5 REJECTED UNKNOWN_TARGET",
            "c6 REJECTED VERSION_CONFLICT",
            "c8 APPLIED 1 2");
  }

  private static int run(String command, Object... args) {
    List<String> all = new ArrayList<>(List.of("target", command));
    for (Object a : args) {
      if (a instanceof String[] more) {
        all.addAll(List.of(more));
      } else {
        all.add((String) a);
      }
    }
    return Main.run(all.toArray(String[]::new));
  }
}
