package io.nagselector.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.nagselector.avro.CommandType;
import io.nagselector.avro.CrawlDocument;
import io.nagselector.avro.PolicyKind;
import io.nagselector.avro.SelectedDocument;
import io.nagselector.avro.TargetCommand;
import io.nagselector.avro.TargetPolicy;
import io.nagselector.control.ControlClient;
import io.nagselector.demo.DomainCorpus;
import io.nagselector.kafka.EmbeddedKafka;
import io.nagselector.nag.FractionSimulation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.IntUnaryOperator;
import java.util.stream.IntStream;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.state.KeyGroupRangeAssignment;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A fraction target's budget through the job, in the setup of the run that found it under-filled:
 * the bundled model, 4 shards with a warm-up of 40, one fraction-0.2 target, 900 documents in 6
 * domains, parallelism 2. The stream's selection is compared with the paper's batch rule over the
 * same similarities (read from a threshold-0 target that selects every document), and with the pure
 * rule ({@link FractionSimulation}) over the same similarities in 400 random orders: one stream of
 * 900 documents is one draw, whose share spreads by about 1.4 points around the fraction
 * (FractionStreamSimulationTest), so the job must fall within what the rule does, and the rule must
 * fill the budget on average.
 */
class FractionBudgetIT extends PipelineIT {
  private static final double FRACTION = 0.2;
  private static final int SHARDS = 4;
  private static final int WARM_UP = 40;

  @TempDir Path dir;

  @Test
  void aFractionTargetFillsItsBudgetAndAgreesWithTheBatchRule() throws Exception {
    List<DomainCorpus.Doc> corpus = DomainCorpus.generate(900, 11);
    List<String> examples = new ArrayList<>();
    ObjectMapper json = new ObjectMapper();
    for (String line : Files.readAllLines(Path.of("examples/demo/targets/science.jsonl"))) {
      examples.add(json.readTree(line).get("doc").asText());
    }
    try (EmbeddedKafka kafka = EmbeddedKafka.start();
        KafkaProducer<byte[], byte[]> producer = producer(kafka);
        KafkaConsumer<byte[], byte[]> consumer = readCommitted(kafka, "check")) {
      createJobTopics(kafka);
      JobConfig config =
          testConfig(
              kafka,
              Path.of("default"),
              dir,
              "1s",
              Map.of(
                  "NAG_MODEL_TOP_K",
                  "20",
                  "NAG_MODEL_MAX_LENGTH",
                  "120",
                  "NAG_SELECTION_SHARDS",
                  String.valueOf(SHARDS),
                  "NAG_SELECTION_WARM_UP",
                  String.valueOf(WARM_UP),
                  // the batch rule is over every document: none may be skipped as a near-duplicate
                  "NAG_DEDUPE_NEAR_ENABLED",
                  "false"));
      JobClient running = startJob(config, null, 2);
      try (ControlClient control = ControlClient.open(config)) {
        List<String> ids = new ArrayList<>();
        for (String target : List.of("all", "science")) {
          ids.add(
              control.send(
                  TargetCommand.newBuilder()
                      .setType(CommandType.UPSERT)
                      .setTarget(target)
                      .setExampleTexts(examples)
                      .setPolicy(
                          target.equals("all")
                              ? new TargetPolicy(PolicyKind.THRESHOLD, 0.0)
                              : new TargetPolicy(PolicyKind.FRACTION, FRACTION))));
        }
        control.awaitAll(ids, Duration.ofMinutes(2));
      }
      for (DomainCorpus.Doc d : corpus) {
        CrawlDocument doc =
            CrawlDocument.newBuilder()
                .setId(d.id())
                .setSource(d.domain())
                .setText(d.text())
                .build();
        producer.send(new ProducerRecord<>("crawl", bytes(CrawlDocument.getEncoder().encode(doc))));
      }
      producer.flush();

      // "all" and "science" select in the same operator and commit in the same transactions
      consumer.subscribe(List.of("selected"));
      Map<String, SelectedDocument> all = new HashMap<>();
      Set<String> streamed = new HashSet<>();
      long deadline = System.currentTimeMillis() + 300_000;
      while (all.size() < corpus.size() && System.currentTimeMillis() < deadline) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(300))) {
          SelectedDocument s = SelectedDocument.getDecoder().decode(r.value());
          if (s.getTarget().equals("all")) {
            all.put(s.getId(), s);
          } else {
            assertThat(streamed.add(s.getId())).as("selected once: %s", s.getId()).isTrue();
            assertThat(s.getSimilarity()).isGreaterThanOrEqualTo(s.getThreshold());
          }
        }
      }
      running.cancel().get();
      assertThat(all).as("every document scored").hasSize(corpus.size());

      List<FractionSimulation.Doc> scored = new ArrayList<>();
      for (DomainCorpus.Doc d : corpus) {
        SelectedDocument s = all.get(d.id());
        scored.add(new FractionSimulation.Doc(d.id(), s.getSimilarity(), s.getTokens()));
      }
      FractionSimulation simulation = new FractionSimulation(scored, FRACTION);
      FractionSimulation.Run job = simulation.score(streamed);
      System.out.printf(
          "the job: fraction %.1f over %d documents, accepted share %.4f, precision %.3f, recall"
              + " %.3f against the batch rule (%d selected, %d by the batch rule)%n",
          FRACTION,
          corpus.size(),
          job.share(),
          job.precision(),
          job.recall(),
          streamed.size(),
          simulation.batch().size());
      // the job is the pure rule: replayed in the order the job scored (when "all" selected each
      // document, to the millisecond, then by id), on the job's instances (all four shards fall on
      // one of the two), it makes the same decisions, but where a millisecond's order is guessed
      IntUnaryOperator instance =
          shard ->
              KeyGroupRangeAssignment.assignKeyToParallelOperator(
                  shard, KeyGroupRangeAssignment.computeDefaultMaxParallelism(2), 2);
      int[] scoredOrder =
          IntStream.range(0, corpus.size())
              .boxed()
              .sorted(
                  Comparator.comparing((Integer i) -> all.get(corpus.get(i).id()).getSelectedAt())
                      .thenComparing(i -> corpus.get(i).id()))
              .mapToInt(Integer::intValue)
              .toArray();
      Set<String> replayed = simulation.accepted(scoredOrder, SHARDS, WARM_UP, instance);
      Set<String> differ = new HashSet<>(replayed);
      differ.addAll(streamed);
      Set<String> both = new HashSet<>(replayed);
      both.retainAll(streamed);
      differ.removeAll(both);
      System.out.printf(
          "the rule replayed in the job's order: %d decisions of %d differ%n",
          differ.size(), corpus.size());
      assertThat(differ.size()).isLessThanOrEqualTo(corpus.size() / 100);
      // and the rule fills the budget on average over random orders of these similarities; one
      // stream of 900 is one draw, whose share spreads by about a point around the fraction
      FractionSimulation.Summary orders = simulation.streams(400, 1, SHARDS, WARM_UP, instance);
      System.out.printf("the rule in 400 random orders: %s%n", orders);
      assertThat(orders.share()).isBetween(FRACTION - 0.005, FRACTION + 0.005);
      assertThat(orders.precision()).isGreaterThanOrEqualTo(0.97);
      assertThat(orders.recall()).isGreaterThanOrEqualTo(0.97);
    }
  }
}
