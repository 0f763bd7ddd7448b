package io.nagselector.job;

import static io.nagselector.testutils.KafkaClients.bytes;
import static io.nagselector.testutils.KafkaClients.producer;
import static io.nagselector.testutils.KafkaClients.readCommitted;
import static org.assertj.core.api.Assertions.assertThat;

import io.nagselector.avro.CommandType;
import io.nagselector.avro.ControlEvent;
import io.nagselector.avro.CrawlDocument;
import io.nagselector.avro.DeadLetter;
import io.nagselector.avro.DeadLetterReason;
import io.nagselector.avro.PolicyKind;
import io.nagselector.avro.SelectedDocument;
import io.nagselector.avro.TargetCommand;
import io.nagselector.avro.TargetPolicy;
import io.nagselector.avro.TargetState;
import io.nagselector.broker.EmbeddedKafka;
import io.nagselector.config.ConfigKeys;
import io.nagselector.config.JobConfig;
import io.nagselector.control.ReplayAnnouncement;
import io.nagselector.model.TinyCheckpoint;
import io.nagselector.testutils.Broker;
import io.nagselector.testutils.Jobs;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;
import org.apache.flink.core.execution.JobClient;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Retargeting while documents stream: a target added mid-stream, examples added, a pause and a
 * resume, another target removed, three kinds of invalid commands. Each step waits for its answers
 * on control-events, then streams a phase of documents, so the version that must accept each
 * document is known. Then a second job without state replays the control topic from the beginning
 * and must rebuild the same registry. The scenario runs once; each check below names one behaviour.
 */
class RetargetingIT extends PipelineIT {
  @RegisterExtension static final Broker BROKER = new Broker();

  private static final int PER_PHASE = 30;

  @TempDir static Path dir;

  private static final Random rnd = new Random(1);
  private static final Set<String> texts = new HashSet<>();

  /** What the scenario left to check. */
  private record Scenario(
      Outputs out,
      Map<String, String> registry,
      Map<String, String> replayedEvents,
      Map<String, String> replayedRegistry) {}

  private static Scenario scenario;

  /** The scenario, run once for all the checks below (the first check to ask runs it). */
  private static synchronized Scenario scenario() throws Exception {
    if (scenario == null) {
      scenario = run();
    }
    return scenario;
  }

  private static TargetCommand.Builder command(String id, CommandType type, String target) {
    TargetCommand.Builder c =
        TargetCommand.newBuilder().setCommandId(id).setType(type).setTarget(target);
    if (type == CommandType.UPSERT || type == CommandType.ADD_EXAMPLES) {
      c.setExampleTexts(List.of(TinyCheckpoint.randomText(rnd, 6)));
    }
    if (type == CommandType.UPSERT) {
      c.setPolicy(new TargetPolicy(PolicyKind.THRESHOLD, 0.0)); // accepts every document
    }
    return c;
  }

  private static void send(KafkaProducer<byte[], byte[]> producer, TargetCommand.Builder c)
      throws Exception {
    producer.send(
        new ProducerRecord<>("control", null, bytes(TargetCommand.getEncoder().encode(c.build()))));
    producer.flush();
  }

  private static void documents(KafkaProducer<byte[], byte[]> producer, String phase)
      throws Exception {
    for (int i = 0; i < PER_PHASE; i++) {
      String text;
      do {
        text = TinyCheckpoint.randomText(rnd, 8);
      } while (!texts.add(text)); // no document is a duplicate of another
      CrawlDocument d = CrawlDocument.newBuilder().setId(phase + "-" + i).setText(text).build();
      producer.send(
          new ProducerRecord<>("crawl", null, bytes(CrawlDocument.getEncoder().encode(d))));
    }
    producer.flush();
  }

  /** Everything the job wrote, read as it is committed. */
  private static final class Outputs {
    final Map<String, String> events = new LinkedHashMap<>();
    final List<SelectedDocument> selected = new ArrayList<>();
    final List<DeadLetter> dead = new ArrayList<>();

    void pollUntil(KafkaConsumer<byte[], byte[]> consumer, BooleanSupplier done) throws Exception {
      long deadline = System.currentTimeMillis() + 60_000;
      while (!done.getAsBoolean() && System.currentTimeMillis() < deadline) {
        poll(consumer, 300);
      }
      assertThat(done.getAsBoolean()).as("outputs within 60 s").isTrue();
    }

    void poll(KafkaConsumer<byte[], byte[]> consumer, long millis) throws Exception {
      for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(millis))) {
        switch (r.topic()) {
          case "control-events" -> {
            ControlEvent e = ControlEvent.getDecoder().decode(r.value());
            if (ReplayAnnouncement.is(e)) {
              continue; // answers no command (ReplayBeforeScoringIT checks it)
            }
            events.put(
                e.getCommandId(),
                e.getStatus()
                    + " "
                    + (e.getReason() == null ? "v" + e.getVersion() : e.getReason())
                    + (e.getPaused() ? " paused" : "")
                    + (e.getExampleCount() == null ? "" : " n" + e.getExampleCount()));
          }
          case "selected" -> selected.add(SelectedDocument.getDecoder().decode(r.value()));
          default -> dead.add(DeadLetter.getDecoder().decode(r.value()));
        }
      }
    }

    int selectedIn(String phase) {
      return (int) selected.stream().filter(s -> s.getId().startsWith(phase + "-")).count();
    }
  }

  private static Scenario run() throws Exception {
    Path model = TinyCheckpoint.decoder("qwen3", 12).write(dir.resolve("model"), "F32", 1);
    EmbeddedKafka kafka = BROKER.kafka();
    try (KafkaProducer<byte[], byte[]> producer = producer(kafka);
        KafkaConsumer<byte[], byte[]> consumer = readCommitted(kafka, "check")) {
      createJobTopics(kafka);
      JobConfig config = testConfig(kafka, model, dir.resolve("first"), "300ms");
      JobClient job = startJob(config, null);
      consumer.subscribe(List.of("control-events", "selected", "dead-letters"));
      Outputs out = new Outputs();

      // phase 1: a and b
      send(producer, command("c1", CommandType.UPSERT, "a"));
      send(producer, command("c2", CommandType.UPSERT, "b"));
      out.pollUntil(consumer, () -> out.events.size() == 2);
      documents(producer, "p1");
      out.pollUntil(consumer, () -> out.selectedIn("p1") == 2 * PER_PHASE);

      // phase 2: c added mid-stream, b given more examples; three invalid commands and bytes
      // that are not a command change nothing
      send(producer, command("c3", CommandType.UPSERT, "c"));
      send(producer, command("c4", CommandType.ADD_EXAMPLES, "b"));
      send(
          producer,
          command("c5", CommandType.UPSERT, "d")
              .setPolicy(new TargetPolicy(PolicyKind.FRACTION, Double.NaN)));
      send(producer, command("c6", CommandType.ADD_EXAMPLES, "ghost"));
      send(producer, command("c7", CommandType.UPSERT, "b").setExpectedVersion(1));
      producer.send(
          new ProducerRecord<>("control", "not a command".getBytes(StandardCharsets.UTF_8)));
      producer.flush();
      out.pollUntil(consumer, () -> out.events.size() == 7 && out.dead.size() == 4);
      documents(producer, "p2");
      out.pollUntil(consumer, () -> out.selectedIn("p2") == 3 * PER_PHASE);

      // phase 3: c paused (and given examples while paused), a removed: only b accepts
      send(producer, command("c8", CommandType.PAUSE, "c"));
      send(producer, command("c9", CommandType.ADD_EXAMPLES, "c"));
      send(producer, command("c10", CommandType.REMOVE, "a"));
      out.pollUntil(consumer, () -> out.events.size() == 10);
      documents(producer, "p3");
      out.pollUntil(consumer, () -> out.selectedIn("p3") == PER_PHASE);

      // phase 4: c resumed
      send(producer, command("c11", CommandType.RESUME, "c"));
      out.pollUntil(consumer, () -> out.events.size() == 11);
      documents(producer, "p4");
      out.pollUntil(consumer, () -> out.selectedIn("p4") == 2 * PER_PHASE);
      out.poll(consumer, 2000); // anything extra would show up now
      Map<String, String> registry = registry(config);
      Jobs.cancel(job);

      // a second job without state replays the control topic
      Outputs again = new Outputs();
      try (KafkaConsumer<byte[], byte[]> replay = readCommitted(kafka, "replay")) {
        List<TopicPartition> partitions =
            replay.partitionsFor("control-events").stream()
                .map(p -> new TopicPartition("control-events", p.partition()))
                .toList();
        replay.assign(partitions);
        replay.seekToEnd(partitions);
        partitions.forEach(replay::position);
        JobClient second = startJob(testConfig(kafka, model, dir.resolve("second"), "300ms"), null);
        again.pollUntil(replay, () -> again.events.size() == 11);
        Jobs.cancel(second);
      }
      return new Scenario(out, registry, again.events, registry(config));
    }
  }

  @Test
  void everyCommandIsAnsweredAsTheRegistryDecided() throws Exception {
    assertThat(scenario().out().events)
        .containsExactlyInAnyOrderEntriesOf(
            Map.ofEntries(
                Map.entry("c1", "APPLIED v1 n1"),
                Map.entry("c2", "APPLIED v1 n1"),
                Map.entry("c3", "APPLIED v1 n1"),
                Map.entry("c4", "APPLIED v2 n2"),
                Map.entry("c5", "REJECTED INVALID_POLICY"),
                Map.entry("c6", "REJECTED UNKNOWN_TARGET"),
                Map.entry("c7", "REJECTED VERSION_CONFLICT"),
                Map.entry("c8", "APPLIED v1 paused n1"),
                Map.entry("c9", "APPLIED v2 paused n2"),
                Map.entry("c10", "APPLIED v2"),
                Map.entry("c11", "APPLIED v2 n2")));
  }

  @Test
  void invalidCommandsAndUndecodableBytesAreDeadLettered() throws Exception {
    assertThat(scenario().out().dead)
        .extracting(DeadLetter::getReason)
        .containsExactlyInAnyOrder(
            DeadLetterReason.INVALID_COMMAND,
            DeadLetterReason.INVALID_COMMAND,
            DeadLetterReason.INVALID_COMMAND,
            DeadLetterReason.DECODE_ERROR);
  }

  @Test
  void eachSelectionNamesTheVersionInForceWhenItsPhaseStreamed() throws Exception {
    List<SelectedDocument> selected = scenario().out().selected;
    Map<String, List<String>> accepted = new TreeMap<>();
    for (SelectedDocument s : selected) {
      String phase = s.getId().substring(0, 2);
      accepted
          .computeIfAbsent(phase, p -> new ArrayList<>())
          .add(s.getTarget() + " v" + s.getTargetVersion());
    }
    assertThat(selected).extracting(s -> s.getTarget() + "/" + s.getId()).doesNotHaveDuplicates();
    assertThat(counts(accepted))
        .containsExactly(
            Map.entry("p1", Map.of("a v1", PER_PHASE, "b v1", PER_PHASE)),
            Map.entry("p2", Map.of("a v1", PER_PHASE, "b v2", PER_PHASE, "c v1", PER_PHASE)),
            Map.entry("p3", Map.of("b v2", PER_PHASE)),
            Map.entry("p4", Map.of("b v2", PER_PHASE, "c v2", PER_PHASE)));
  }

  @Test
  void theTargetsTopicHoldsEachTargetsLastState() throws Exception {
    Map<String, String> registry = scenario().registry();
    assertThat(registry).containsOnlyKeys("a", "b", "c");
    assertThat(registry.get("a")).isEqualTo("v2 removed");
    assertThat(registry.get("b")).startsWith("v2 n2 ");
    assertThat(registry.get("c")).startsWith("v2 n2 "); // resumed
  }

  @Test
  void aJobWithoutStateReplaysTheControlTopicToTheSameAnswersAndRegistry() throws Exception {
    Scenario r = scenario();
    assertThat(r.replayedEvents()).containsExactlyInAnyOrderEntriesOf(r.out().events);
    assertThat(r.replayedRegistry()).isEqualTo(r.registry());
  }

  private static Map<String, Map<String, Integer>> counts(Map<String, List<String>> byPhase) {
    Map<String, Map<String, Integer>> out = new TreeMap<>();
    byPhase.forEach(
        (phase, list) -> {
          Map<String, Integer> c = new TreeMap<>();
          list.forEach(v -> c.merge(v, 1, Integer::sum));
          out.put(phase, c);
        });
    return out;
  }

  /** The targets topic: per name, its last state with its profile. */
  private static Map<String, String> registry(JobConfig config) throws Exception {
    Map<String, String> out = new TreeMap<>();
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(
            Map.of(
                "bootstrap.servers",
                config.get(ConfigKeys.KAFKA_BOOTSTRAP_SERVERS),
                "isolation.level",
                "read_committed"),
            new ByteArrayDeserializer(),
            new ByteArrayDeserializer())) {
      List<TopicPartition> partitions =
          consumer.partitionsFor("targets").stream()
              .map(p -> new TopicPartition("targets", p.partition()))
              .toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
      while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(300))) {
          TargetState s = TargetState.getDecoder().decode(r.value());
          out.put(
              s.getName(),
              "v"
                  + s.getVersion()
                  + (s.getRemoved() ? " removed" : " n" + s.getExampleCount())
                  + (s.getPaused() ? " paused" : "")
                  + (s.getProfileFingerprint() == null ? "" : " " + s.getProfileFingerprint()));
        }
      }
    }
    return out;
  }
}
