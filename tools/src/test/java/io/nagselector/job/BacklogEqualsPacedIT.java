package io.nagselector.job;

import static io.nagselector.testutils.KafkaClients.bytes;
import static io.nagselector.testutils.KafkaClients.producer;
import static io.nagselector.testutils.KafkaClients.readCommitted;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.nagselector.avro.CommandType;
import io.nagselector.avro.CrawlDocument;
import io.nagselector.avro.DuplicateDocument;
import io.nagselector.avro.DuplicateKind;
import io.nagselector.avro.PolicyKind;
import io.nagselector.avro.SelectedDocument;
import io.nagselector.avro.TargetCommand;
import io.nagselector.avro.TargetPolicy;
import io.nagselector.broker.EmbeddedKafka;
import io.nagselector.config.JobConfig;
import io.nagselector.control.ControlClient;
import io.nagselector.dedupe.NearDuplicateIndex;
import io.nagselector.dedupe.NearDuplicates;
import io.nagselector.dedupe.PlantedCorpus;
import io.nagselector.io.DocumentValidator;
import io.nagselector.nag.FractionSimulation;
import io.nagselector.testutils.JobReport;
import io.nagselector.testutils.Jobs;
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
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.state.KeyGroupRangeAssignment;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One crawl topic's content, read twice by the whole job: once as a paced stream (sent at about 80
 * documents/s while the job runs, at parallelism 2), once as a backlog (its first half in the topic
 * before the job starts; a stop with a savepoint mid-way; the second half sent at once and read by
 * the job restored at parallelism 1). Both runs skip the same exact and near-duplicates, each
 * naming the same earlier text, exactly as the in-memory rule decides over the topic's order
 * (timestamp, partition, offset); select the same documents for a threshold target; and keep a
 * fraction target of 64 shards and a warm-up of 40 within the spread of its own rule over random
 * orders, each document decided on arrival after the warm-up.
 */
class BacklogEqualsPacedIT extends PipelineIT {
  private static final double FRACTION = 0.2;
  private static final int WARM_UP = 40;

  /**
   * Every document decided on arrival once the warm-up is over: with a band, the documents near the
   * cut wait up to the max-hold, in processing time, which a backlog and a paced stream spend
   * differently (the band's results are FractionBudgetIT's).
   */
  private static final double SIGMAS = 0;

  private static final long GAP_MILLIS = 20;

  @TempDir Path dir;

  /** A run's outcome: the duplicates skipped, what each target selected, the ordering's delay. */
  private record Outcome(
      Map<String, String> exact,
      Map<String, String> near,
      Map<String, SelectedDocument> all,
      Set<String> fraction,
      List<Long> delays) {}

  @Test
  void aBacklogIsDecidedAsThePacedStreamOfTheSameTopic() throws Exception {
    List<PlantedCorpus.Doc> corpus = corpus();
    long[] start = {0}; // the first record's timestamp: set when the paced run starts sending
    Outcome paced = run(corpus, start, false);
    Outcome backlog = run(corpus, start, true);

    Map<String, String> expectedExact = new TreeMap<>();
    Map<String, String> expectedNear = new TreeMap<>();
    inMemoryRule(corpus, expectedExact, expectedNear);
    Quality quality = quality(corpus, expectedExact, expectedNear);
    System.out.printf(
        "the in-memory rule over the topic's order: %d exact and %d near-duplicates of %d"
            + " documents; planted pairs at J >= 0.85: %d of %d caught (recall %.3f); flagged"
            + " below J 0.7: %d of %d%n",
        expectedExact.size(),
        expectedNear.size(),
        corpus.size(),
        quality.caught,
        quality.pairs,
        (double) quality.caught / quality.pairs,
        quality.falsePositives,
        expectedNear.size());
    for (Outcome o : List.of(paced, backlog)) {
      assertThat(new TreeMap<>(o.exact())).isEqualTo(expectedExact);
      assertThat(new TreeMap<>(o.near())).isEqualTo(expectedNear);
      assertThat(o.all().keySet())
          .hasSize(corpus.size() - expectedExact.size() - expectedNear.size());
    }
    assertThat(backlog.all().keySet()).isEqualTo(paced.all().keySet());
    assertThat((double) quality.caught / quality.pairs).isGreaterThanOrEqualTo(0.99);
    assertThat(quality.falsePositives).isLessThanOrEqualTo(expectedNear.size() / 100);

    // the fraction target against the batch rule over the same similarities, and the spread of
    // the rule itself over 200 random orders of them (2 instances, as the paced run)
    List<FractionSimulation.Doc> scored = new ArrayList<>();
    paced
        .all()
        .values()
        .forEach(
            s ->
                scored.add(
                    new FractionSimulation.Doc(s.getId(), s.getSimilarity(), s.getTokens())));
    FractionSimulation simulation = new FractionSimulation(scored, FRACTION);
    FractionSimulation.Summary spread =
        simulation.streams(
            200,
            1,
            64,
            WARM_UP,
            SIGMAS,
            shard ->
                KeyGroupRangeAssignment.assignKeyToParallelOperator(
                    shard, KeyGroupRangeAssignment.computeDefaultMaxParallelism(2), 2));
    System.out.printf("the fraction rule in 200 random orders: %s%n", spread);
    for (var run : new TreeMap<>(Map.of("1 paced", paced, "2 backlog", backlog)).entrySet()) {
      FractionSimulation.Run r = simulation.score(run.getValue().fraction());
      System.out.printf(
          "%s: fraction %.1f, 64 shards, warm-up %d: %d selected (batch rule %d), share %.4f,"
              + " precision %.3f, recall %.3f%n",
          run.getKey(),
          FRACTION,
          WARM_UP,
          run.getValue().fraction().size(),
          simulation.batch().size(),
          r.share(),
          r.precision(),
          r.recall());
      assertThat(run.getValue().fraction()).isNotEmpty();
      assertThat(r.share()).isBetween(spread.lowestShare(), spread.highestShare());
      assertThat(r.precision()).isGreaterThanOrEqualTo(spread.lowestPrecision());
      assertThat(r.recall()).isGreaterThanOrEqualTo(spread.lowestRecall());
    }
    List<Long> inOrder = paced.delays();
    System.out.printf(
        "paced: record timestamp to scored, first 100 documents: median %d ms; last 100: median %d"
            + " ms%n",
        median(inOrder.subList(0, 100)),
        median(inOrder.subList(inOrder.size() - 100, inOrder.size())));
    long[] delays = inOrder.stream().mapToLong(Long::longValue).sorted().toArray();
    System.out.printf(
        "paced: record timestamp to scored, %d documents: median %d ms, 99th percentile %d ms,"
            + " max %d ms%n",
        delays.length,
        delays[delays.length / 2],
        delays[delays.length * 99 / 100],
        delays[delays.length - 1]);
  }

  private static long median(List<Long> values) {
    return values.stream().sorted().toList().get(values.size() / 2);
  }

  /** The planted corpus and 30 exact copies (some before their original), in a random order. */
  private static List<PlantedCorpus.Doc> corpus() throws Exception {
    List<PlantedCorpus.Doc> docs = new ArrayList<>(PlantedCorpus.generate(29));
    Random rnd = new Random(29);
    for (int c = 0; c < 30; c++) {
      PlantedCorpus.Doc original = docs.get(rnd.nextInt(docs.size()));
      String copy = original.text().replace(" ", "  ");
      docs.add(
          rnd.nextInt(docs.size()),
          new PlantedCorpus.Doc(original.id() + "-copy" + c, copy, "copy"));
    }
    return docs;
  }

  /** Document i's record: partition i % 2, timestamp {@code start} + i x 10 ms. */
  private static ProducerRecord<byte[], byte[]> record(PlantedCorpus.Doc d, int i, long start)
      throws Exception {
    CrawlDocument doc = CrawlDocument.newBuilder().setId(d.id()).setText(d.text()).build();
    return new ProducerRecord<>(
        "crawl",
        i % 2,
        start + i * GAP_MILLIS,
        d.id().getBytes(StandardCharsets.UTF_8),
        bytes(CrawlDocument.getEncoder().encode(doc)));
  }

  private Outcome run(List<PlantedCorpus.Doc> corpus, long[] start, boolean backlog)
      throws Exception {
    Path runDir = Files.createDirectories(dir.resolve(backlog ? "backlog" : "paced"));
    try (EmbeddedKafka kafka = EmbeddedKafka.start();
        KafkaProducer<byte[], byte[]> producer = producer(kafka);
        KafkaConsumer<byte[], byte[]> consumer = readCommitted(kafka, "check")) {
      createJobTopics(kafka, "duplicates");
      JobConfig config = config(kafka, runDir, "2s");
      List<String> commands = sendTargets(config);
      consumer.subscribe(List.of("selected", "duplicates"));
      Outcome outcome =
          new Outcome(
              new HashMap<>(),
              new HashMap<>(),
              new HashMap<>(),
              new HashSet<>(),
              new ArrayList<>());
      int half = corpus.size() / 2;
      if (!backlog) {
        JobClient job = startJob(config, null, 2);
        try (ControlClient control = ControlClient.open(config)) {
          control.awaitAll(commands, Duration.ofMinutes(2));
        }
        start[0] = System.currentTimeMillis() + 100;
        sendPaced(producer, corpus, start[0]);
        collect(consumer, outcome, corpus, job);
        Jobs.cancel(job);
        return outcome;
      }
      for (int i = 0; i < half; i++) {
        producer.send(record(corpus.get(i), i, start[0]));
      }
      producer.flush();
      // The first job never counts its partitions caught up: the first half's last second waits
      // for the watermark, so the savepoint holds it however fast the rest was decided.
      JobClient first = startJob(config(kafka, runDir, "1h"), null, 2);
      long deadline = System.currentTimeMillis() + 120_000;
      while (outcome.all().size() < half / 4 && System.currentTimeMillis() < deadline) {
        poll(consumer, outcome);
      }
      String savepoint =
          first
              .stopWithSavepoint(
                  false,
                  runDir.resolve("savepoints").toUri().toString(),
                  SavepointFormatType.CANONICAL)
              .get();
      poll(consumer, outcome);
      int before = outcome.all().size() + outcome.exact().size() + outcome.near().size();
      System.out.printf(
          "backlog: %d of the first %d documents decided before the savepoint%n", before, half);
      assertThat(before).as("the savepoint is taken mid-stream").isLessThan(half);
      for (int i = half; i < corpus.size(); i++) {
        producer.send(record(corpus.get(i), i, start[0]));
      }
      producer.flush();
      JobClient second = startJob(config, savepoint, 1);
      collect(consumer, outcome, corpus, second);
      Jobs.cancel(second);
      return outcome;
    }
  }

  private static JobConfig config(EmbeddedKafka kafka, Path runDir, String quietAfter)
      throws Exception {
    return testConfig(
        kafka,
        Path.of("default"),
        runDir,
        "1s",
        Map.of(
            "NAG_MODEL_TOP_K",
            "20",
            "NAG_MODEL_MAX_LENGTH",
            "16",
            "NAG_SELECTION_SHARDS",
            "64",
            "NAG_SELECTION_WARM_UP",
            String.valueOf(WARM_UP),
            "NAG_SELECTION_HOLD_SIGMAS",
            String.valueOf(SIGMAS),
            "NAG_KAFKA_TOPICS_DUPLICATES",
            "duplicates",
            // the defaults, not the other tests' shorter ones (FastOrder)
            "NAG_DEDUPE_ORDER_OUT_OF_ORDERNESS",
            "1s",
            "NAG_DEDUPE_ORDER_QUIET_AFTER",
            quietAfter));
  }

  /** Sends document i at its timestamp, as a crawler writing at 50 documents/s would. */
  private static void sendPaced(
      KafkaProducer<byte[], byte[]> producer, List<PlantedCorpus.Doc> corpus, long start)
      throws Exception {
    ScheduledExecutorService crawler = Executors.newSingleThreadScheduledExecutor();
    try {
      for (int i = 0; i < corpus.size(); i++) {
        ProducerRecord<byte[], byte[]> r = record(corpus.get(i), i, start);
        long due = start + i * GAP_MILLIS - System.currentTimeMillis();
        crawler.schedule(() -> producer.send(r), Math.max(0, due), TimeUnit.MILLISECONDS);
      }
    } finally {
      crawler.shutdown(); // the delayed sends still run
    }
    assertThat(crawler.awaitTermination(2, TimeUnit.MINUTES)).as("all sent").isTrue();
    producer.flush();
  }

  /**
   * The two targets, in the control topic before the job starts: "all" (threshold 0: every scored
   * document) and "frac".
   */
  private static List<String> sendTargets(JobConfig config) throws Exception {
    List<String> examples = new ArrayList<>();
    ObjectMapper json = new ObjectMapper();
    for (String line : Files.readAllLines(Path.of("examples/demo/targets/science.jsonl"))) {
      examples.add(json.readTree(line).get("doc").asText());
    }
    List<String> ids = new ArrayList<>();
    try (ControlClient control = ControlClient.open(config)) {
      for (TargetPolicy policy :
          List.of(
              new TargetPolicy(PolicyKind.THRESHOLD, 0.0),
              new TargetPolicy(PolicyKind.FRACTION, FRACTION))) {
        ids.add(
            control.send(
                TargetCommand.newBuilder()
                    .setType(CommandType.UPSERT)
                    .setTarget(policy.getKind() == PolicyKind.THRESHOLD ? "all" : "frac")
                    .setExampleTexts(examples)
                    .setPolicy(policy)));
      }
    }
    return ids;
  }

  /**
   * Reads until every document is accounted (selected by "all", or a duplicate), then for two
   * checkpoints more, for the fraction target's last decisions. If some never come, it says which
   * and where the job stood.
   */
  private static void collect(
      KafkaConsumer<byte[], byte[]> consumer,
      Outcome o,
      List<PlantedCorpus.Doc> corpus,
      JobClient job)
      throws Exception {
    long deadline = System.currentTimeMillis() + 180_000;
    while (accounted(o) < corpus.size() && System.currentTimeMillis() < deadline) {
      poll(consumer, o);
    }
    long settled = System.currentTimeMillis() + 2_000;
    while (System.currentTimeMillis() < settled) {
      poll(consumer, o);
    }
    if (accounted(o) < corpus.size()) {
      List<Integer> missing = new ArrayList<>();
      for (int i = 0; i < corpus.size(); i++) {
        String id = corpus.get(i).id();
        if (!o.all().containsKey(id) && !o.exact().containsKey(id) && !o.near().containsKey(id)) {
          missing.add(i);
        }
      }
      System.out.printf(
          "%d documents never accounted, by position in the topic: %s%n%s%n",
          missing.size(), missing, JobReport.of(FLINK.getClientConfiguration(), job.getJobID()));
    }
    assertThat(accounted(o)).as("every document accounted").isEqualTo(corpus.size());
  }

  private static int accounted(Outcome o) {
    return o.all().size() + o.exact().size() + o.near().size();
  }

  private static void poll(KafkaConsumer<byte[], byte[]> consumer, Outcome o) throws Exception {
    for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(300))) {
      if (r.topic().equals("duplicates")) {
        DuplicateDocument d = DuplicateDocument.getDecoder().decode(r.value());
        Map<String, String> into = d.getKind() == DuplicateKind.EXACT ? o.exact() : o.near();
        String first = d.getDuplicateOf() == null ? "" : d.getDuplicateOf();
        assertThat(into.put(d.getDocument().getId(), first)).as("skipped once").isNull();
        continue;
      }
      SelectedDocument s = SelectedDocument.getDecoder().decode(r.value());
      if (s.getTarget().equals("all")) {
        assertThat(o.all().put(s.getId(), s)).as("selected once").isNull();
        o.delays().add(s.getSelectedAt().toEpochMilli() - r.timestamp());
      } else {
        assertThat(o.fraction().add(s.getId())).as("selected once").isTrue();
      }
    }
  }

  /** The exact dedupe, then the near-duplicate rule, in memory over the topic's order. */
  private static void inMemoryRule(
      List<PlantedCorpus.Doc> corpus, Map<String, String> exact, Map<String, String> near) {
    Set<Long> seen = new HashSet<>();
    NearDuplicates rule = NearDuplicates.defaults();
    NearDuplicateIndex index = new NearDuplicateIndex(NearDuplicates.THRESHOLD);
    for (PlantedCorpus.Doc d : corpus) {
      if (!seen.add(DocumentValidator.dedupeHash(d.text()))) {
        exact.put(d.id(), "");
        continue;
      }
      index.offer(d.id(), rule.fingerprint(d.text())).ifPresent(m -> near.put(d.id(), m.firstId()));
    }
  }

  private record Quality(int pairs, int caught, int falsePositives) {}

  /**
   * Of the planted pairs (a document and its edited, boilerplate or reordered copy) whose true
   * Jaccard similarity is 0.85 or more, how many have their later text skipped (as a
   * near-duplicate, or as an exact copy of a copy planted before it); and how many texts were
   * skipped as near-duplicates of one they resemble less than 0.7.
   */
  private static Quality quality(
      List<PlantedCorpus.Doc> corpus, Map<String, String> exact, Map<String, String> near) {
    NearDuplicates rule = NearDuplicates.defaults();
    Map<String, long[]> shingles = new HashMap<>();
    Map<String, Integer> position = new HashMap<>();
    for (int i = 0; i < corpus.size(); i++) {
      shingles.put(corpus.get(i).id(), rule.shingles().of(corpus.get(i).text()));
      position.put(corpus.get(i).id(), i);
    }
    int pairs = 0;
    int caught = 0;
    for (PlantedCorpus.Doc d : corpus) {
      String base = d.id().replaceAll("-(edited|boilerplate|reordered)$", "");
      if (base.equals(d.id())
          || PlantedCorpus.jaccard(shingles.get(base), shingles.get(d.id())) < 0.85) {
        continue;
      }
      pairs++;
      String later = position.get(base) < position.get(d.id()) ? d.id() : base;
      caught += near.containsKey(later) || exact.containsKey(later) ? 1 : 0;
    }
    int falsePositives = 0;
    for (var e : near.entrySet()) {
      double j = PlantedCorpus.jaccard(shingles.get(e.getKey()), shingles.get(e.getValue()));
      falsePositives += j < 0.7 ? 1 : 0;
    }
    return new Quality(pairs, caught, falsePositives);
  }
}
