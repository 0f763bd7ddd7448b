package io.nagselector.job;

import static io.nagselector.testutils.KafkaClients.bytes;
import static io.nagselector.testutils.KafkaClients.producer;
import static io.nagselector.testutils.KafkaClients.readCommitted;
import static org.assertj.core.api.Assertions.assertThat;

import io.nagselector.avro.CommandType;
import io.nagselector.avro.ControlEvent;
import io.nagselector.avro.CrawlDocument;
import io.nagselector.avro.PolicyKind;
import io.nagselector.avro.SelectedDocument;
import io.nagselector.avro.TargetCommand;
import io.nagselector.avro.TargetPolicy;
import io.nagselector.broker.EmbeddedKafka;
import io.nagselector.config.JobConfig;
import io.nagselector.control.ReplayAnnouncement;
import io.nagselector.model.TinyCheckpoint;
import io.nagselector.testutils.Broker;
import io.nagselector.testutils.Jobs;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import org.apache.flink.api.common.JobID;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Metric;
import org.apache.flink.metrics.MetricGroup;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A job started without state over a control topic of 224 records (upserts, added examples,
 * replacements, removals, pauses and a resume, a redelivered command, two malformed records, and a
 * tail of 200 added examples that makes the replay outlast a document's way to scoring), with the
 * crawl documents already waiting: every document is scored against exactly the targets of the
 * complete registry, as a job that had the registry before the documents came scores them. The
 * backlog waits in Kafka: the job's metrics show its crawl source reading nothing while the gate
 * holds, and no document waiting in scoring's state (without the gate: all 60 do). An empty control
 * topic, or one of malformed records only, holds nothing back for ever.
 */
class ReplayBeforeScoringIT extends PipelineIT {
  @RegisterExtension static final Broker BROKER = new Broker();

  private static final int DOCS = 60;
  private static final int ADDITIONS = 200;

  @TempDir Path dir;

  /** The topics and group of one run, so that runs do not see each other's output. */
  private static Map<String, String> run(String name, String crawl, String control) {
    Map<String, String> env = new HashMap<>();
    env.put("NAG_KAFKA_GROUP_ID", name);
    env.put("NAG_KAFKA_TRANSACTIONAL_ID_PREFIX", name);
    env.put("NAG_KAFKA_TOPICS_CRAWL", crawl);
    env.put("NAG_KAFKA_TOPICS_CONTROL", control);
    for (String output :
        List.of("selected", "control-events", "targets", "top-k", "dead-letters")) {
      env.put("NAG_KAFKA_TOPICS_" + output.toUpperCase().replace('-', '_'), output + "-" + name);
    }
    env.put("NAG_KAFKA_TOPICS_FEATURES", "features-" + name);
    return env;
  }

  private static void createRunTopics(EmbeddedKafka kafka, String name, String... inputs) {
    Map<String, Integer> partitions = new HashMap<>();
    for (String output :
        List.of("selected", "control-events", "targets", "top-k", "dead-letters", "features")) {
      partitions.put(output + "-" + name, 1);
    }
    for (String input : inputs) {
      partitions.put(input, 1);
    }
    kafka.createTopics(partitions, List.of("targets-" + name, "top-k-" + name));
  }

  @Test
  void documentsWaitingForTheReplayAreScoredAgainstTheCompleteRegistry() throws Exception {
    Path model = TinyCheckpoint.decoder("qwen3", 31).write(dir.resolve("model"), "F32", 1);
    Random rnd = new Random(31);
    EmbeddedKafka kafka = BROKER.kafka();
    try (KafkaProducer<byte[], byte[]> producer = producer(kafka)) {
      createJobTopics(kafka, "crawl-a", "crawl-c", "crawl-d", "control-empty", "control-bad");
      createRunTopics(kafka, "a");
      createRunTopics(kafka, "b");
      createRunTopics(kafka, "c");
      createRunTopics(kafka, "d");
      int answered = sendCommands(producer, rnd);
      for (int i = 0; i < 3; i++) {
        producer.send(
            new ProducerRecord<>(
                "control-bad", ("not a command " + i).getBytes(StandardCharsets.UTF_8)));
      }
      List<CrawlDocument> docs = new ArrayList<>();
      Set<String> texts = new HashSet<>();
      for (int i = 0; i < DOCS; i++) {
        String text;
        do {
          text = TinyCheckpoint.randomText(rnd, 6 + rnd.nextInt(8));
        } while (!texts.add(text));
        docs.add(CrawlDocument.newBuilder().setId("doc-" + i).setText(text).build());
      }
      send(producer, "crawl", docs); // waiting before any job starts

      // the reference: a job that has the complete registry before the documents come
      JobClient a = startJob(config(kafka, model, "a", "crawl-a", "control"), null);
      awaitEvents(kafka, "a", answered);
      send(producer, "crawl-a", docs);
      Set<String> reference = selectedOnce(kafka, "a");
      Jobs.cancel(a);

      JobClient b = startJob(config(kafka, model, "b", "crawl", "control"), null);
      AtomicBoolean scored = new AtomicBoolean();
      CompletableFuture<Hold> watched =
          CompletableFuture.supplyAsync(() -> watchHold(b.getJobID(), scored));
      Set<String> replayed = selectedOnce(kafka, "b");
      scored.set(true);
      Hold hold = watched.get();
      Jobs.cancel(b);

      System.out.printf(
          "replay before scoring: %d documents, %d selections by the reference, %d after the"
              + " replay%n",
          DOCS, reference.size(), replayed.size());
      assertThat(targetsOf(reference))
          .as("the complete registry's active targets")
          .containsExactly(
              "t0 v2", "t1 v2", "t2 v2", "t4 v2", "t7 v1", "t8 v3", "t9 v" + (ADDITIONS + 1));
      assertThat(replayed).isEqualTo(reference);
      // the backlog waited in Kafka: while the gate held, the crawl source read nothing, and no
      // document ever waited for the registry in scoring's state
      System.out.printf("while the replay was applied: %s%n", hold);
      assertThat(hold.heldSamples()).isPositive();
      assertThat(hold.crawlReadWhileHeld()).isZero();
      assertThat(hold.crawlReadAfter()).isEqualTo(DOCS);
      assertThat(hold.mostAwaitingRegistry()).isZero();

      // an empty control topic and one of malformed records only: nothing waits for ever
      for (String[] run : new String[][] {{"c", "control-empty"}, {"d", "control-bad"}}) {
        String name = run[0];
        JobClient job = startJob(config(kafka, model, name, "crawl-" + name, run[1]), null);
        send(producer, "crawl-" + name, docs);
        awaitFeatures(kafka, name, DOCS);
        producer.send(
            new ProducerRecord<>(
                run[1], bytes(TargetCommand.getEncoder().encode(allTarget(rnd).build()))));
        producer.flush();
        awaitEvents(kafka, name, 1);
        List<CrawlDocument> later = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
          later.add(
              CrawlDocument.newBuilder()
                  .setId("later-" + i)
                  .setText(TinyCheckpoint.randomText(rnd, 9))
                  .build());
        }
        send(producer, "crawl-" + name, later);
        Set<String> selected = selectedOnce(kafka, name, DOCS + later.size());
        Jobs.cancel(job);
        assertThat(selected)
            .as(run[1] + ": scored against an empty registry, then the new target")
            .containsExactlyInAnyOrder(
                "later-0 all v1",
                "later-1 all v1",
                "later-2 all v1",
                "later-3 all v1",
                "later-4 all v1");
      }
    }
  }

  private JobConfig config(
      EmbeddedKafka kafka, Path model, String name, String crawl, String control) {
    return testConfig(kafka, model, dir.resolve(name), "300ms", run(name, crawl, control));
  }

  /**
   * 224 control records; returns how many answers they get (the redelivered command and the
   * malformed records get none).
   */
  private static int sendCommands(KafkaProducer<byte[], byte[]> producer, Random rnd)
      throws Exception {
    List<TargetCommand> commands = new ArrayList<>();
    for (int t = 0; t < 8; t++) {
      commands.add(upsert("t" + t, t < 4 ? 0.0 : 0.05, rnd).setCommandId("u" + t).build());
    }
    for (String t : List.of("t0", "t1", "t4")) {
      commands.add(
          command(CommandType.ADD_EXAMPLES, t, "x-" + t).setExampleTexts(examples(rnd)).build());
    }
    commands.add(upsert("t2", 0.1, rnd).setCommandId("u2-again").build());
    commands.add(command(CommandType.REMOVE, "t3", "r3").build());
    commands.add(command(CommandType.REMOVE, "t5", "r5").build());
    commands.add(command(CommandType.PAUSE, "t6", "p6").build());
    commands.add(command(CommandType.PAUSE, "t1", "p1").build());
    commands.add(command(CommandType.RESUME, "t1", "q1").build());
    commands.add(upsert("t8", 0.0, rnd).setCommandId("u8").build());
    commands.add(command(CommandType.REMOVE, "t8", "r8").build());
    commands.add(upsert("t8", 0.2, rnd).setCommandId("u8-again").build());
    // a long tail, so that the replay takes longer than a document's way to scoring
    commands.add(upsert("t9", 0.0, rnd).setCommandId("u9").build());
    for (int i = 0; i < ADDITIONS; i++) {
      commands.add(
          command(CommandType.ADD_EXAMPLES, "t9", "x9-" + i)
              .setExampleTexts(examples(rnd))
              .build());
    }
    commands.add(commands.get(0)); // redelivered: ignored, unanswered
    for (int i = 0; i < commands.size(); i++) {
      producer.send(
          new ProducerRecord<>(
              "control", bytes(TargetCommand.getEncoder().encode(commands.get(i)))));
      if (i == 5 || i == 12) {
        producer.send(new ProducerRecord<>("control", new byte[] {1, 2, 3}));
      }
    }
    producer.flush();
    return commands.size() - 1;
  }

  private static TargetCommand.Builder upsert(String target, double threshold, Random rnd) {
    return command(CommandType.UPSERT, target, "u-" + target)
        .setExampleTexts(examples(rnd))
        .setPolicy(new TargetPolicy(PolicyKind.THRESHOLD, threshold));
  }

  private static TargetCommand.Builder command(CommandType type, String target, String id) {
    return TargetCommand.newBuilder().setType(type).setTarget(target).setCommandId(id);
  }

  private static List<String> examples(Random rnd) {
    return List.of(TinyCheckpoint.randomText(rnd, 8), TinyCheckpoint.randomText(rnd, 10));
  }

  private static void send(
      KafkaProducer<byte[], byte[]> producer, String topic, List<CrawlDocument> docs)
      throws Exception {
    for (CrawlDocument d : docs) {
      producer.send(new ProducerRecord<>(topic, bytes(CrawlDocument.getEncoder().encode(d))));
    }
    producer.flush();
  }

  /**
   * What the job's metrics showed from its start until every waiting document was scored: how often
   * the gate was seen holding, what the crawl source had read then and at the end, and the most
   * documents scoring ever kept waiting for the registry.
   */
  private record Hold(
      int heldSamples, long crawlReadWhileHeld, long crawlReadAfter, long mostAwaitingRegistry) {}

  private static Hold watchHold(JobID job, AtomicBoolean scored) {
    int heldSamples = 0;
    long readWhileHeld = 0;
    long read = 0;
    long awaiting = 0;
    while (!scored.get()) {
      Map<String, Metric> held = new HashMap<>();
      Map<String, Metric> readBy = new HashMap<>();
      for (Map.Entry<MetricGroup, Map<String, Metric>> g : JobMetrics.byGroup().entrySet()) {
        Map<String, String> variables = g.getKey().getAllVariables();
        if (!job.toString().equals(variables.get("<job_id>"))) {
          continue;
        }
        String subtask = variables.get("<subtask_index>");
        boolean crawl = String.valueOf(variables.get("<operator_name>")).endsWith("crawl");
        for (Map.Entry<String, Metric> m : g.getValue().entrySet()) {
          switch (m.getKey()) {
            case "heldForControlReplay" -> held.put(subtask, m.getValue());
            case "numRecordsIn" -> {
              if (crawl) {
                readBy.put(subtask, m.getValue());
              }
            }
            case "awaitingRegistry" -> awaiting = Math.max(awaiting, value(m.getValue()));
            default -> {}
          }
        }
      }
      long readNow = 0;
      for (Map.Entry<String, Metric> r : readBy.entrySet()) {
        long count = value(r.getValue());
        readNow += count;
        // the gate only opens: held after the count was read means held when it was read
        Metric gate = held.get(r.getKey());
        if (gate != null && value(gate) > 0) {
          heldSamples++;
          readWhileHeld = Math.max(readWhileHeld, count);
        }
      }
      read = readNow;
      LockSupport.parkNanos(20_000_000);
    }
    return new Hold(heldSamples, readWhileHeld, read, awaiting);
  }

  private static long value(Metric metric) {
    return metric instanceof Counter c
        ? c.getCount()
        : ((Number) ((Gauge<?>) metric).getValue()).longValue();
  }

  /** Waits for {@code count} answers to commands (the replay announcement answers none). */
  private static void awaitEvents(EmbeddedKafka kafka, String run, int count) throws Exception {
    try (KafkaConsumer<byte[], byte[]> events =
        readCommitted(kafka, "check-events-" + run + "-" + System.nanoTime())) {
      events.subscribe(List.of("control-events-" + run));
      int seen = 0;
      long deadline = System.currentTimeMillis() + 120_000;
      while (seen < count && System.currentTimeMillis() < deadline) {
        for (ConsumerRecord<byte[], byte[]> r : events.poll(Duration.ofMillis(300))) {
          if (!ReplayAnnouncement.is(ControlEvent.getDecoder().decode(r.value()))) {
            seen++;
          }
        }
      }
      assertThat(seen).as("control events of run " + run).isEqualTo(count);
    }
  }

  private static void awaitFeatures(EmbeddedKafka kafka, String run, int count) {
    try (KafkaConsumer<byte[], byte[]> features =
        readCommitted(kafka, "check-features-" + run + "-" + System.nanoTime())) {
      features.subscribe(List.of("features-" + run));
      int seen = 0;
      long deadline = System.currentTimeMillis() + 120_000;
      while (seen < count && System.currentTimeMillis() < deadline) {
        seen += features.poll(Duration.ofMillis(300)).count(); // from the beginning: a new group
      }
      assertThat(seen).as("features of run " + run).isEqualTo(count);
    }
  }

  private static Set<String> selectedOnce(EmbeddedKafka kafka, String run) throws Exception {
    return selectedOnce(kafka, run, DOCS);
  }

  /**
   * Once {@code scored} documents have a feature (committed with the selections of the same
   * checkpoint), the run's selections as "doc target vVERSION", read until quiet; each once.
   */
  private static Set<String> selectedOnce(EmbeddedKafka kafka, String run, int scored)
      throws Exception {
    awaitFeatures(kafka, run, scored);
    Set<String> out = new TreeSet<>();
    try (KafkaConsumer<byte[], byte[]> consumer = readCommitted(kafka, "check-selected-" + run)) {
      consumer.subscribe(List.of("selected-" + run));
      long quietSince = System.currentTimeMillis();
      while (System.currentTimeMillis() - quietSince < 3000) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(300))) {
          SelectedDocument s = SelectedDocument.getDecoder().decode(r.value());
          String key = s.getId() + " " + s.getTarget() + " v" + s.getTargetVersion();
          assertThat(out.add(key)).as("selected once: " + key).isTrue();
          quietSince = System.currentTimeMillis();
        }
      }
    }
    return out;
  }

  private static Set<String> targetsOf(Set<String> selections) {
    Set<String> out = new TreeSet<>();
    selections.forEach(s -> out.add(s.substring(s.indexOf(' ') + 1)));
    return out;
  }
}
