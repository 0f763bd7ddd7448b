package io.nagselector.job;

import static io.nagselector.testutils.KafkaClients.bytes;
import static io.nagselector.testutils.KafkaClients.producer;
import static io.nagselector.testutils.KafkaClients.readCommitted;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.nagselector.avro.CommandStatus;
import io.nagselector.avro.CommandType;
import io.nagselector.avro.ControlEvent;
import io.nagselector.avro.CrawlDocument;
import io.nagselector.avro.DuplicateDocument;
import io.nagselector.avro.DuplicateKind;
import io.nagselector.avro.PolicyKind;
import io.nagselector.avro.SelectedDocument;
import io.nagselector.avro.TargetCommand;
import io.nagselector.avro.TargetPolicy;
import io.nagselector.avro.TopKEntry;
import io.nagselector.avro.TopKSnapshot;
import io.nagselector.broker.EmbeddedKafka;
import io.nagselector.config.JobConfig;
import io.nagselector.control.ControlClient;
import io.nagselector.model.TinyCheckpoint;
import io.nagselector.nag.RunningTopK;
import io.nagselector.testutils.Broker;
import io.nagselector.testutils.Jobs;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A savepoint written by an earlier build (checked in under src/test/resources/savepoints/) is
 * restored by this one, and its state is the state it was: the registry and its command ids, the
 * broadcast targets, the dedupe memory, each shard's top-k, accepted counts and warm-up documents,
 * the fraction sketches, and (v5 on) the documents a fraction target left undecided with its
 * whole-stream quantile. Like Flink's own *MigrationTests.
 *
 * <p>To write a new fixture when the state format changes on purpose (docs/streaming.md): {@code
 * ./mvnw -DskipTests install && ./mvnw -pl tools failsafe:integration-test
 * -Dit.test=SavepointCompatibilityIT#writesAFixture -Dnag.savepoint-fixture.write=v8}; every
 * directory under savepoints/ is restored. The restoring job keeps its dedupe memories longer than
 * any fixture's age, so that what a fixture remembers does not depend on the day the test runs.
 */
class SavepointCompatibilityIT extends PipelineIT {
  @RegisterExtension final Broker broker = new Broker();

  private static final Path FIXTURES = Path.of("tools/src/test/resources/savepoints");
  private static final int DOCS = 24;
  private static final int TOP_K = 5;

  /** A TTL longer than any fixture's age: ten years. */
  private static final String REMEMBER_ALL = "3650d";

  @TempDir Path dir;

  /** The topics' contents before the savepoint: the same in the writing and the restoring run. */
  private record Before(List<TargetCommand> commands, List<CrawlDocument> docs) {
    static Before generate() {
      Random rnd = new Random(16);
      List<String> examples = List.of(randomText(rnd, 8), randomText(rnd, 8), randomText(rnd, 8));
      List<TargetCommand> commands =
          List.of(
              upsert("c1", "all", PolicyKind.THRESHOLD, 0.0, examples),
              upsert("c2", "frac", PolicyKind.FRACTION, 0.5, examples));
      List<CrawlDocument> docs = new ArrayList<>();
      for (int i = 0; i < DOCS; i++) {
        docs.add(
            CrawlDocument.newBuilder()
                .setId(String.format("d%02d", i))
                .setText(randomText(rnd, 4 + rnd.nextInt(8)))
                .build());
      }
      return new Before(commands, docs);
    }
  }

  private static String randomText(Random rnd, int words) {
    return TinyCheckpoint.randomText(rnd, words);
  }

  private static TargetCommand upsert(
      String id, String target, PolicyKind kind, double value, List<String> examples) {
    return TargetCommand.newBuilder()
        .setCommandId(id)
        .setType(CommandType.UPSERT)
        .setTarget(target)
        .setExampleTexts(examples)
        .setPolicy(new TargetPolicy(kind, value))
        .setTopK(TOP_K)
        .build();
  }

  /**
   * The restoring job's configuration: its memories last {@code ttl} (both dedupe TTLs). Flink's
   * state TTL counts from when the fixture's run wrote an entry, so a restore that checks what the
   * fixture remembers keeps them longer than any fixture's age ({@link #REMEMBER_ALL}).
   */
  private JobConfig restoreConfig(EmbeddedKafka kafka, Path model, String ttl) {
    return config(
        kafka, model, "10", "2s", Map.of("NAG_DEDUPE_TTL", ttl, "NAG_DEDUPE_NEAR_TTL", ttl));
  }

  private JobConfig config(
      EmbeddedKafka kafka, Path model, String warmUp, String maxHold, Map<String, String> more) {
    Map<String, String> env = new HashMap<>(more);
    env.put("NAG_SELECTION_WARM_UP", warmUp);
    env.put("NAG_SELECTION_MAX_HOLD", maxHold);
    env.put("NAG_SELECTION_TOP_K_INTERVAL", "300ms");
    env.put("NAG_KAFKA_TOPICS_DUPLICATES", "duplicates");
    return testConfig(kafka, model, dir, "300ms", env);
  }

  /** The same tiny model in both runs: its fingerprint is part of the targets in state. */
  private Path model() throws Exception {
    return TinyCheckpoint.decoder("llama", 21).write(dir.resolve("model"), "F32", 1);
  }

  private static void createTopics(EmbeddedKafka kafka) {
    createJobTopics(kafka, "duplicates");
  }

  /**
   * Sends what the topics held before the savepoint, to the same partitions and offsets; with
   * {@code await}, waits for the commands' answers before the documents go.
   */
  private static void sendBefore(
      JobConfig config, KafkaProducer<byte[], byte[]> producer, Before before, boolean await)
      throws Exception {
    try (ControlClient control = ControlClient.open(config)) {
      List<String> ids = new ArrayList<>();
      for (TargetCommand c : before.commands()) {
        ids.add(control.send(TargetCommand.newBuilder(c)));
      }
      if (await) {
        assertThat(control.awaitAll(ids, Duration.ofSeconds(90)))
            .extracting(ControlEvent::getStatus)
            .containsOnly(CommandStatus.APPLIED);
      }
    }
    for (int i = 0; i < before.docs().size(); i++) {
      producer.send(
          new ProducerRecord<>(
              "crawl",
              i % 2,
              null,
              bytes(CrawlDocument.getEncoder().encode(before.docs().get(i)))));
    }
    producer.flush();
  }

  /** The checked-in fixtures' names, oldest first (v1, v2, ..., v10). */
  static List<String> fixtures() throws Exception {
    try (Stream<Path> list = Files.list(FIXTURES)) {
      return list.filter(Files::isDirectory)
          .map(p -> p.getFileName().toString())
          .sorted(Comparator.comparingInt(n -> Integer.parseInt(n.substring(1))))
          .toList();
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("fixtures")
  void restoresASavepointOfAnEarlierBuild(String fixture) throws Exception {
    restore(FIXTURES.resolve(fixture), REMEMBER_ALL);
  }

  /**
   * What docs/streaming.md says of the dedupe memories: an entry older than its TTL is forgotten,
   * after a restore too. With TTLs of a second, every entry of the newest fixture is older: a copy
   * of a text from before the savepoint is selected, not skipped.
   */
  @Test
  void aRestoredMemoryOlderThanItsTtlIsForgotten() throws Exception {
    List<String> all = fixtures();
    restore(FIXTURES.resolve(all.get(all.size() - 1)), "1s");
  }

  @Test
  @EnabledIfSystemProperty(named = "nag.savepoint-fixture.write", matches = "v[0-9]+")
  void writesAFixture() throws Exception {
    writeFixture(FIXTURES.resolve(System.getProperty("nag.savepoint-fixture.write")));
  }

  /** Runs the scenario up to the savepoint and keeps it, with what the restore will expect. */
  private void writeFixture(Path target) throws Exception {
    Before before = Before.generate();
    EmbeddedKafka kafka = broker.kafka();
    try (KafkaProducer<byte[], byte[]> producer = producer(kafka);
        KafkaConsumer<byte[], byte[]> consumer = readCommitted(kafka, "check")) {
      createTopics(kafka);
      // v5 on: warm-ups of 2 end before the savepoint, and an hour's max-hold keeps what the
      // fraction target leaves undecided near its cut waiting in the savepoint
      JobConfig config = config(kafka, model(), "2", "1h", Map.of());
      JobClient job = startJob(config, null);
      sendBefore(config, producer, before, true);
      consumer.subscribe(List.of("selected", "top-k"));
      Map<String, TopKSnapshot> topK = new HashMap<>();
      Set<String> selected = new TreeSet<>();
      Map<String, Double> similarities = new TreeMap<>();
      Set<String> fracSelected = new TreeSet<>();
      long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
      while (System.nanoTime() < deadline
          && (selected.size() < DOCS
              || topK.get("all") == null
              || topK.get("all").getAccepted() < DOCS)) {
        for (var r : consumer.poll(Duration.ofMillis(300))) {
          if (r.topic().equals("selected")) {
            SelectedDocument d = SelectedDocument.getDecoder().decode(r.value());
            if (d.getTarget().equals("all")) {
              selected.add(d.getId());
              similarities.put(d.getId(), d.getSimilarity());
            } else {
              fracSelected.add(d.getId());
            }
          } else {
            TopKSnapshot s = TopKSnapshot.getDecoder().decode(r.value());
            topK.put(s.getTarget(), s);
          }
        }
      }
      assertThat(selected).as("the threshold-0 target selected every document").hasSize(DOCS);
      // v7 on: the savepoint is taken once the outputs have been quiet for 2 s (ten checkpoints),
      // so that it holds no transaction left to commit: one would name a producer id that the
      // restoring test's new broker does not know
      long quietSince = System.nanoTime();
      long quietDeadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (System.nanoTime() - quietSince < Duration.ofSeconds(2).toNanos()
          && System.nanoTime() < quietDeadline) {
        for (var r : consumer.poll(Duration.ofMillis(300))) {
          quietSince = System.nanoTime();
          if (r.topic().equals("top-k")) {
            TopKSnapshot s = TopKSnapshot.getDecoder().decode(r.value());
            topK.put(s.getTarget(), s);
          } else {
            SelectedDocument d = SelectedDocument.getDecoder().decode(r.value());
            if (!d.getTarget().equals("all")) {
              fracSelected.add(d.getId());
            }
          }
        }
      }
      Path savepoint =
          Path.of(
              URI.create(
                  job.stopWithSavepoint(
                          false,
                          dir.resolve("sp").toUri().toString(),
                          SavepointFormatType.CANONICAL)
                      .get()));
      Files.createDirectories(target);
      try (Stream<Path> files = Files.walk(savepoint)) {
        for (Path f : files.filter(Files::isRegularFile).toList()) {
          Path to = target.resolve("savepoint").resolve(savepoint.relativize(f).toString());
          Files.createDirectories(to.getParent());
          Files.copy(f, to);
        }
      }
      Map<String, Object> expected = new LinkedHashMap<>();
      expected.put(
          "all-top-k",
          topK.get("all").getEntries().stream()
              .map(e -> Map.of("id", e.getDocId(), "similarity", e.getSimilarity()))
              .toList());
      expected.put("fingerprint", SelectorApp.fingerprint(config));
      expected.put("near-duplicates", true); // v3 on: the near-duplicate stage's memory
      // v5 on: what "frac" (the same examples as "all") selected before the savepoint, and every
      // document's similarity; the rest of its documents were rejected or wait undecided
      expected.put("frac-selected-before", fracSelected);
      expected.put("similarities", similarities);
      new ObjectMapper()
          .writerWithDefaultPrettyPrinter()
          .writeValue(target.resolve("expected.json").toFile(), expected);
    }
  }

  /** Restores {@code fixture} with dedupe memories that last {@code ttl}, and checks its state. */
  private void restore(Path fixture, String ttl) throws Exception {
    boolean remembered = ttl.equals(REMEMBER_ALL);
    String name = fixture.getFileName().toString();
    JsonNode expected = new ObjectMapper().readTree(fixture.resolve("expected.json").toFile());
    Before before = Before.generate();
    EmbeddedKafka kafka = broker.kafka();
    try (KafkaProducer<byte[], byte[]> producer = producer(kafka);
        KafkaConsumer<byte[], byte[]> consumer = readCommitted(kafka, "check")) {
      createTopics(kafka);
      JobConfig config = restoreConfig(kafka, model(), ttl);
      assertThat(SelectorApp.fingerprint(config))
          .as(name + ": the same model as the writing run")
          .isEqualTo(expected.get("fingerprint").asText());
      sendBefore(config, producer, before, false); // the topics as they were; the job resumes after
      JobClient job = startJob(config, fixture.resolve("savepoint").toAbsolutePath().toString());
      consumer.subscribe(List.of("selected", "top-k", "duplicates", "control-events"));

      // a command delivered again is recognised (command ids restored)
      producer.send(
          new ProducerRecord<>(
              "control",
              0,
              null,
              bytes(TargetCommand.getEncoder().encode(before.commands().get(0)))));
      // a text seen before the savepoint, under a new id, is a duplicate (dedupe memory restored)
      CrawlDocument copy =
          CrawlDocument.newBuilder(before.docs().get(0)).setId("copy-of-d00").build();
      producer.send(
          new ProducerRecord<>("crawl", 0, null, bytes(CrawlDocument.getEncoder().encode(copy))));
      // and the same words in capitals, not an exact copy: a near-duplicate of d01 (its memory)
      boolean near = expected.has("near-duplicates");
      if (near) {
        CrawlDocument nearCopy =
            CrawlDocument.newBuilder(before.docs().get(1))
                .setId("near-of-d01")
                .setText(before.docs().get(1).getText().toUpperCase(Locale.ROOT) + "!")
                .build();
        producer.send(
            new ProducerRecord<>(
                "crawl", 1, null, bytes(CrawlDocument.getEncoder().encode(nearCopy))));
      }
      // v5 on: what version 1 of "frac" left undecided is decided by version 1's whole-stream
      // quantile, restored. The fixture's max-hold timer (an hour after it was written) has long
      // passed, so it fires on restore and decides them, whatever the day; a new version of "frac"
      // follows, which would decide any left by the same threshold (SettleFractionsTest)
      boolean undecided = expected.has("frac-selected-before");
      if (undecided) {
        producer.send(
            new ProducerRecord<>(
                "control",
                0,
                null,
                bytes(
                    TargetCommand.getEncoder()
                        .encode(
                            TargetCommand.newBuilder(before.commands().get(1))
                                .setCommandId("c3")
                                .build()))));
      }
      // new documents: enough to end every shard's warm-up of the fraction target
      Random rnd = new Random(17);
      List<String> fresh = new ArrayList<>();
      for (int i = 0; i < 40; i++) {
        CrawlDocument d =
            CrawlDocument.newBuilder()
                .setId(String.format("n%02d", i))
                .setText(randomText(rnd, 4 + rnd.nextInt(8)) + " new")
                .build();
        fresh.add(d.getId());
        producer.send(
            new ProducerRecord<>(
                "crawl", i % 2, null, bytes(CrawlDocument.getEncoder().encode(d))));
      }
      producer.flush();
      // copies of texts the memories forgot are new documents, selected like the fresh ones
      List<String> copies = near ? List.of("copy-of-d00", "near-of-d01") : List.of("copy-of-d00");
      List<String> expectedDuplicates =
          !remembered ? List.of() : near ? List.of("copy-of-d00", "near-of-d01 ~ d01") : copies;
      List<String> expectedSelected = new ArrayList<>(fresh);
      if (!remembered) {
        expectedSelected.addAll(copies);
      }

      Map<String, Double> allSims = new HashMap<>();
      Set<String> fracSelected = new TreeSet<>();
      List<String> duplicates = new ArrayList<>();
      List<ControlEvent> events = new ArrayList<>();
      Map<String, SelectedDocument> fracBefore = new TreeMap<>();
      TopKSnapshot allTopK = null;
      long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
      while (System.nanoTime() < deadline
          && (allSims.size() < expectedSelected.size()
              || duplicates.size() < expectedDuplicates.size()
              || allTopK == null
              || allTopK.getAccepted() < DOCS + expectedSelected.size()
              || fracSelected.stream().noneMatch(id -> id.startsWith("d")))) {
        for (var r : consumer.poll(Duration.ofMillis(300))) {
          switch (r.topic()) {
            case "selected" -> {
              SelectedDocument s = SelectedDocument.getDecoder().decode(r.value());
              if (s.getTarget().equals("all")) {
                allSims.put(s.getId(), s.getSimilarity());
              } else {
                assertThat(fracSelected.add(s.getId())).as(name + ": once: " + s.getId()).isTrue();
                if (s.getId().startsWith("d")) {
                  fracBefore.put(s.getId(), s);
                }
              }
            }
            case "duplicates" -> {
              DuplicateDocument d = DuplicateDocument.getDecoder().decode(r.value());
              duplicates.add(
                  d.getDocument().getId()
                      + (d.getKind() == DuplicateKind.NEAR ? " ~ " + d.getDuplicateOf() : ""));
            }
            case "control-events" -> events.add(ControlEvent.getDecoder().decode(r.value()));
            default -> {
              TopKSnapshot s = TopKSnapshot.getDecoder().decode(r.value());
              if (s.getTarget().equals("all")) {
                allTopK = s;
              }
            }
          }
        }
      }
      // the registry and its targets: the new documents are scored against both targets
      assertThat(allSims.keySet())
          .as(name + ": restored targets select")
          .containsExactlyInAnyOrderElementsOf(expectedSelected);
      assertThat(allSims.keySet())
          .as(name + ": nothing from before selected again")
          .doesNotContainAnyElementsOf(before.docs().stream().map(CrawlDocument::getId).toList());
      assertThat(events)
          .as(name + ": the redelivered command c1 is ignored")
          .extracting(e -> e.getCommandId().toString())
          .containsExactlyElementsOf(undecided ? List.of("c3") : List.of());
      assertThat(duplicates)
          .as(name + ": the dedupe memory, its entries " + (remembered ? "kept" : "expired"))
          .containsExactlyInAnyOrderElementsOf(expectedDuplicates);
      // each shard's accepted count and top-k: the published top-k merges before and after
      assertThat(allTopK).as(name + ": a top-k of the threshold target").isNotNull();
      assertThat(allTopK.getAccepted())
          .as(name + ": accepted counts")
          .isEqualTo(DOCS + expectedSelected.size());
      RunningTopK best = new RunningTopK(TOP_K);
      for (JsonNode e : expected.get("all-top-k")) {
        best.offer(
            new RunningTopK.Entry(e.get("id").asText(), e.get("similarity").asDouble(), 0, null));
      }
      allSims.forEach((id, sim) -> best.offer(new RunningTopK.Entry(id, sim, 0, null)));
      assertThat(allTopK.getEntries().stream().map(TopKEntry::getDocId).toList())
          .as(name + ": the shards' top-k")
          .isEqualTo(best.best().stream().map(RunningTopK.Entry::docId).toList());
      // the fraction target's warm-up documents from before the savepoint are decided now
      assertThat(fracSelected)
          .as(name + ": held warm-up documents")
          .anyMatch(id -> id.startsWith("d"));
      if (undecided) {
        undecidedDecided(name, expected, fracBefore);
      }
      Jobs.cancel(job);
    }
  }

  /**
   * What version 1 of "frac" left undecided before the savepoint is decided after the restore, by
   * one threshold, its whole-stream quantile's: every document from before above it is selected
   * once across the savepoint, none below it after the restore.
   */
  private static void undecidedDecided(
      String name, JsonNode expected, Map<String, SelectedDocument> decidedAfter) {
    assertThat(decidedAfter)
        .as(name + ": undecided documents accepted after the restore")
        .isNotEmpty();
    Set<Double> thresholds = new TreeSet<>();
    decidedAfter.values().forEach(s -> thresholds.add(s.getThreshold()));
    assertThat(thresholds).as(name + ": one threshold decided them").hasSize(1);
    double threshold = thresholds.iterator().next();
    System.out.printf(
        "%s: %s decided after the restore by the threshold %s%n",
        name, decidedAfter.keySet(), threshold);
    Set<String> before = new TreeSet<>();
    expected.get("frac-selected-before").forEach(id -> before.add(id.asText()));
    assertThat(before).doesNotContainAnyElementsOf(decidedAfter.keySet());
    expected
        .get("similarities")
        .fields()
        .forEachRemaining(
            e -> {
              double sim = e.getValue().asDouble();
              boolean selected =
                  before.contains(e.getKey()) || decidedAfter.containsKey(e.getKey());
              if (sim > threshold) {
                assertThat(selected).as(name + ": %s above %s", e.getKey(), threshold).isTrue();
              } else if (sim < threshold) {
                assertThat(decidedAfter)
                    .as(name + ": below %s", threshold)
                    .doesNotContainKey(e.getKey());
              }
            });
  }
}
