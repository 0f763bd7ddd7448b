package io.nagselector.job;

import static io.nagselector.testutils.KafkaClients.bytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nagselector.avro.CommandStatus;
import io.nagselector.avro.CommandType;
import io.nagselector.avro.CrawlDocument;
import io.nagselector.avro.PolicyKind;
import io.nagselector.avro.SelectedDocument;
import io.nagselector.avro.TargetCommand;
import io.nagselector.avro.TargetPolicy;
import io.nagselector.broker.EmbeddedKafka;
import io.nagselector.broker.TestCa;
import io.nagselector.config.JobConfig;
import io.nagselector.config.KafkaClientConfig;
import io.nagselector.control.ControlClient;
import io.nagselector.deploy.KafkaUserAcls;
import io.nagselector.model.TinyCheckpoint;
import io.nagselector.testutils.Await;
import io.nagselector.testutils.Jobs;
import io.strimzi.api.kafka.model.user.KafkaUser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.core.execution.JobClient;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Who may steer the selection, on a broker that authorizes (SASL/SCRAM over TLS, KRaft's
 * StandardAuthorizer) with exactly the ACLs that k8s/base/kafka-users.yaml gives its KafkaUsers:
 * the job runs as nag-selector; only the control principal (nag-selector-cli) can write target
 * commands; the crawler writes the crawl topic only; the reader reads outputs only. A refused
 * client fails at the client, the job runs on, and no password reaches the logs.
 */
class KafkaAclsIT extends PipelineIT {
  private static final Path USERS = Path.of("k8s/base/kafka-users.yaml");
  private static final String JOB = "nag-selector";
  private static final String CONTROL = "nag-selector-cli";
  private static final String CRAWLER = "nag-selector-crawler";
  private static final String READER = "nag-selector-reader";

  @TempDir Path dir;

  private static String password(String user) {
    return "pw-" + Integer.toHexString((user + "-acls").hashCode()) + "-secret";
  }

  @Test
  void onlyTheControlPrincipalSteersAndEachOtherPrincipalDoesOnlyItsPart() throws Exception {
    TestCa ca = TestCa.create(Files.createDirectories(dir.resolve("ca")));
    Path model = TinyCheckpoint.decoder("qwen3", 7).write(dir.resolve("model"), "F32", 1);
    Map<String, KafkaUser> users = KafkaUserAcls.users(USERS);
    assertThat(users).containsOnlyKeys(JOB, CONTROL, CRAWLER, READER);
    try (EmbeddedKafka kafka = EmbeddedKafka.startAuthorizing(ca.brokerKeystore(), ca.password())) {
      createJobTopics(kafka);
      users.keySet().forEach(u -> kafka.createScramUser(u, password(u)));
      kafka.createAcls(KafkaUserAcls.of(users));

      JobConfig job = testConfig(kafka, model, dir, "300ms", as(kafka, ca, JOB));
      KafkaClientConfig.checkConnection(job, Duration.ofSeconds(30));
      JobClient running = startJob(job, null);
      Random rnd = new Random(7);
      try (KafkaProducer<byte[], byte[]> crawler = producer(kafka, ca, model, CRAWLER);
          KafkaProducer<byte[], byte[]> reader = producer(kafka, ca, model, READER);
          KafkaProducer<byte[], byte[]> jobProducer = producer(kafka, ca, model, JOB);
          KafkaConsumer<byte[], byte[]> selected = consumer(kafka, ca, model, READER, "check")) {
        // the control principal steers: its upsert is applied
        JobConfig cli = testConfig(kafka, model, dir, "300ms", as(kafka, ca, CONTROL));
        try (ControlClient control = ControlClient.open(cli)) {
          String id =
              control.send(
                  TargetCommand.newBuilder()
                      .setType(CommandType.UPSERT)
                      .setTarget("all")
                      .setExampleTexts(List.of(TinyCheckpoint.randomText(rnd, 6)))
                      .setPolicy(new TargetPolicy(PolicyKind.THRESHOLD, 0.0)));
          assertThat(control.await(id, Duration.ofMinutes(2)).getStatus())
              .isEqualTo(CommandStatus.APPLIED);
        }

        // nobody else can write target commands: the send fails at the client
        for (var refused : List.of(crawler, reader, jobProducer)) {
          assertThatThrownBy(() -> refused.send(command(rnd)).get(60, TimeUnit.SECONDS))
              .hasCauseInstanceOf(AuthorizationException.class);
        }
        // the reader writes nothing, not even the crawl topic
        assertThatThrownBy(() -> reader.send(crawl("r0", rnd)).get(60, TimeUnit.SECONDS))
            .hasCauseInstanceOf(AuthorizationException.class);
        // the reader cannot read the crawl, nor the crawler the outputs
        assertRefusedToRead(kafka, ca, model, READER, "crawl");
        assertRefusedToRead(kafka, ca, model, CRAWLER, "selected");

        // the crawler writes the crawl, the reader reads what the job selected, and the job ran
        // on through every refusal: every document once
        selected.subscribe(List.of("selected"));
        Set<String> sent = new HashSet<>();
        for (int i = 0; i < 20; i++) {
          crawler.send(crawl("d" + i, rnd)).get(60, TimeUnit.SECONDS);
          sent.add("d" + i);
        }
        Map<String, Integer> seen = new HashMap<>();
        Await.until(
            "the job selects what the crawler wrote, read by the reader",
            Duration.ofMinutes(2),
            () -> {
              for (ConsumerRecord<byte[], byte[]> r : selected.poll(Duration.ofMillis(300))) {
                seen.merge(
                    SelectedDocument.getDecoder().decode(r.value()).getId(), 1, Integer::sum);
              }
              return seen.size() >= sent.size();
            });
        assertThat(seen.keySet()).isEqualTo(sent);
        assertThat(seen.values()).containsOnly(1);
        assertThat(running.getJobStatus().get()).isEqualTo(JobStatus.RUNNING);
      } finally {
        Jobs.cancel(running);
      }
    }
    String logged = Files.readString(Path.of("target", "it-logs", "KafkaAclsIT.log"));
    assertThat(logged).as("the refusals are in the log").contains("TOPIC_AUTHORIZATION_FAILED");
    for (String user : users.keySet()) {
      assertThat(logged).doesNotContain(password(user));
    }
  }

  /** The job's test configuration on the SASL_SSL listener as {@code user}. */
  private static Map<String, String> as(EmbeddedKafka kafka, TestCa ca, String user) {
    return saslSsl(kafka, ca.caPem(), user, password(user));
  }

  private KafkaProducer<byte[], byte[]> producer(
      EmbeddedKafka kafka, TestCa ca, Path model, String user) {
    JobConfig c = testConfig(kafka, model, dir, "300ms", as(kafka, ca, user));
    return new KafkaProducer<>(
        KafkaClientConfig.with(KafkaClientConfig.of(c), "max.block.ms", 30_000),
        new ByteArraySerializer(),
        new ByteArraySerializer());
  }

  private KafkaConsumer<byte[], byte[]> consumer(
      EmbeddedKafka kafka, TestCa ca, Path model, String user, String group) {
    JobConfig c = testConfig(kafka, model, dir, "300ms", as(kafka, ca, user));
    Map<String, Object> p =
        KafkaClientConfig.with(
            KafkaClientConfig.of(c),
            "auto.offset.reset",
            "earliest",
            "isolation.level",
            "read_committed");
    if (group != null) {
      p.put("group.id", user + "-" + group);
    }
    return new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
  }

  /** {@code user} reading {@code topic} (assigned, no group) is refused at the client. */
  private void assertRefusedToRead(
      EmbeddedKafka kafka, TestCa ca, Path model, String user, String topic) {
    try (KafkaConsumer<byte[], byte[]> c = consumer(kafka, ca, model, user, null)) {
      c.assign(List.of(new TopicPartition(topic, 0)));
      assertThatThrownBy(
              () -> {
                for (int i = 0; i < 100; i++) {
                  c.poll(Duration.ofMillis(300));
                }
              })
          .as(user + " reading " + topic)
          .isInstanceOf(AuthorizationException.class);
    }
  }

  private static ProducerRecord<byte[], byte[]> command(Random rnd) throws Exception {
    TargetCommand remove =
        TargetCommand.newBuilder()
            .setCommandId("rogue-" + rnd.nextInt(1_000_000))
            .setType(CommandType.REMOVE)
            .setTarget("all")
            .build();
    return new ProducerRecord<>("control", bytes(TargetCommand.getEncoder().encode(remove)));
  }

  private static ProducerRecord<byte[], byte[]> crawl(String id, Random rnd) throws Exception {
    CrawlDocument d =
        CrawlDocument.newBuilder().setId(id).setText(TinyCheckpoint.randomText(rnd, 8)).build();
    return new ProducerRecord<>("crawl", bytes(CrawlDocument.getEncoder().encode(d)));
  }
}
