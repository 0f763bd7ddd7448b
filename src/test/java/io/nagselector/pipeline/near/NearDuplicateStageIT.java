package io.nagselector.pipeline.near;

import static org.assertj.core.api.Assertions.assertThat;

import io.nagselector.avro.CrawlDocument;
import io.nagselector.avro.DuplicateDocument;
import io.nagselector.avro.DuplicateKind;
import io.nagselector.dedupe.NearDuplicateIndex;
import io.nagselector.dedupe.NearDuplicates;
import io.nagselector.dedupe.PlantedCorpus;
import io.nagselector.pipeline.RawRecord;
import io.nagselector.pipeline.SourcedDocument;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The near-duplicate stage on the MiniCluster (heap state), over the planted corpus of {@code
 * NearDuplicateQualityTest}: in one subtask it decides exactly as the in-memory rule does; spread
 * over three, with texts racing through buckets on different subtasks, it loses nothing, keeps the
 * earlier text of every pair it flags, and still catches the planted near-duplicates.
 */
class NearDuplicateStageIT {
  @RegisterExtension
  static final MiniClusterExtension FLINK =
      new MiniClusterExtension(
          new MiniClusterResourceConfiguration.Builder().setNumberSlotsPerTaskManager(3).build());

  /**
   * Documents closer than this (0.8 s at the test's pace) may reach a bucket in either order on
   * different subtasks, through the network buffers between them: the later one is then kept too.
   */
  private static final int IN_FLIGHT = 200;

  private record Outcome(List<String> kept, Map<String, DuplicateDocument> skipped) {}

  @Test
  void inOneSubtaskItDecidesAsTheInMemoryRule() throws Exception {
    List<PlantedCorpus.Doc> docs = PlantedCorpus.generate(18);
    Outcome outcome = run(docs, 1);

    NearDuplicates rule = NearDuplicates.defaults();
    NearDuplicateIndex index = new NearDuplicateIndex(NearDuplicates.THRESHOLD);
    Map<String, NearDuplicateIndex.Match> expected = new HashMap<>();
    for (PlantedCorpus.Doc d : docs) {
      index.offer(d.id(), rule.fingerprint(d.text())).ifPresent(m -> expected.put(d.id(), m));
    }
    Map<String, NearDuplicateIndex.Match> actual = new HashMap<>();
    outcome
        .skipped()
        .forEach(
            (id, d) ->
                actual.put(id, new NearDuplicateIndex.Match(d.getDuplicateOf(), d.getJaccard())));
    System.out.printf(
        "near-duplicate stage, 1 subtask: %d documents, %d kept, %d near-duplicates%n",
        docs.size(), outcome.kept().size(), actual.size());
    assertThat(expected).hasSizeGreaterThanOrEqualTo(100);
    assertThat(actual).isEqualTo(expected);
    assertThat(outcome.kept()).hasSize(docs.size() - expected.size());
  }

  @Test
  void acrossSubtasksNothingIsLostAndTheEarlierTextIsKept() throws Exception {
    List<PlantedCorpus.Doc> docs = PlantedCorpus.generate(19);
    Outcome outcome = run(docs, 3);

    Map<String, Integer> position = new HashMap<>();
    for (int i = 0; i < docs.size(); i++) {
      position.put(docs.get(i).id(), i);
    }
    Set<String> accounted = new HashSet<>(outcome.kept());
    accounted.addAll(outcome.skipped().keySet());
    assertThat(outcome.kept().size() + outcome.skipped().size()).isEqualTo(docs.size());
    assertThat(accounted).hasSize(docs.size());
    // the in-memory rule over the same order, for the pairs far enough apart to arrive in order
    NearDuplicates rule = NearDuplicates.defaults();
    NearDuplicateIndex index = new NearDuplicateIndex(NearDuplicates.THRESHOLD);
    Set<String> byTheRule = new HashSet<>();
    for (PlantedCorpus.Doc d : docs) {
      index.offer(d.id(), rule.fingerprint(d.text())).ifPresent(m -> byTheRule.add(d.id()));
    }
    int apart = 0;
    int apartCaught = 0;
    int near = 0;
    int nearCaught = 0;
    for (PlantedCorpus.Doc d : docs) {
      DuplicateDocument skipped = outcome.skipped().get(d.id());
      if (skipped != null) {
        assertThat(skipped.getKind()).isEqualTo(DuplicateKind.NEAR);
        assertThat(skipped.getJaccard()).isGreaterThanOrEqualTo(NearDuplicates.THRESHOLD);
        assertThat(position.get(skipped.getDuplicateOf())).isLessThan(position.get(d.id()));
      }
      String base = d.id().replaceAll("-(edited|boilerplate|reordered)$", "");
      if (byTheRule.contains(d.id()) && !base.equals(d.id())) {
        boolean far = position.get(d.id()) - position.get(base) >= IN_FLIGHT;
        apart += far ? 1 : 0;
        apartCaught += far && skipped != null ? 1 : 0;
        near += far ? 0 : 1;
        nearCaught += !far && skipped != null ? 1 : 0;
      }
    }
    System.out.printf(
        "near-duplicate stage, 3 subtasks: %d documents, %d kept, %d near-duplicates; planted"
            + " copies the in-memory rule flags, %d or more documents after their original: %d of"
            + " %d caught; closer: %d of %d%n",
        docs.size(),
        outcome.kept().size(),
        outcome.skipped().size(),
        IN_FLIGHT,
        apartCaught,
        apart,
        nearCaught,
        near);
    assertThat(apart).isGreaterThanOrEqualTo(30);
    assertThat(apartCaught).isEqualTo(apart);
  }

  private static SourcedDocument paced(SourcedDocument doc) throws InterruptedException {
    Thread.sleep(4);
    return doc;
  }

  /**
   * Runs the stage over {@code docs}, read at about 250 documents/s, well below what the stage
   * takes, as a crawl topic feeds it: all subtasks keep up, and the order they see texts in differs
   * only by what is in flight between them.
   */
  private static Outcome run(List<PlantedCorpus.Doc> docs, int parallelism) throws Exception {
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    env.setParallelism(parallelism);
    List<SourcedDocument> input = new ArrayList<>();
    for (int i = 0; i < docs.size(); i++) {
      PlantedCorpus.Doc d = docs.get(i);
      input.add(
          new SourcedDocument(
              CrawlDocument.newBuilder().setId(d.id()).setText(d.text()).build(),
              new RawRecord("crawl", 0, i, null)));
    }
    DataStream<SourcedDocument> source =
        env.fromData(input, TypeInformation.of(SourcedDocument.class))
            .assignTimestampsAndWatermarks(
                WatermarkStrategy.<SourcedDocument>forMonotonousTimestamps()
                    .withTimestampAssigner((d, t) -> d.origin().offset()))
            .map(NearDuplicateStageIT::paced)
            .setParallelism(1);
    NearDuplicateStage.Result result =
        NearDuplicateStage.apply(source, NearDuplicateSettings.defaults(), true);
    DataStream<DuplicateDocument> kept =
        result
            .unique()
            .map(d -> new DuplicateDocument(d.document(), DuplicateKind.EXACT, null, 0.0))
            .returns(DuplicateDocument.class);
    List<String> keptIds = new ArrayList<>();
    Map<String, DuplicateDocument> skipped = new HashMap<>();
    // one collected stream: kept documents are marked with a Jaccard of 0
    try (CloseableIterator<DuplicateDocument> it =
        kept.union(result.skipped()).executeAndCollect()) {
      it.forEachRemaining(
          d -> {
            if (d.getJaccard() == 0.0) {
              keptIds.add(d.getDocument().getId());
            } else {
              skipped.put(d.getDocument().getId(), d);
            }
          });
    }
    return new Outcome(keptIds, skipped);
  }
}
