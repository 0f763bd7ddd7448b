package io.nagselector.duplicates.near;

import static org.assertj.core.api.Assertions.assertThat;

import io.nagselector.avro.CrawlDocument;
import io.nagselector.avro.DuplicateDocument;
import io.nagselector.avro.DuplicateKind;
import io.nagselector.config.NearDuplicateSettings;
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
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The near-duplicate stage on the MiniCluster (heap state), over the planted corpus of {@code
 * NearDuplicateQualityTest}: in one subtask, and spread over three or four with texts racing
 * through buckets on different subtasks, paced or all at once, it decides exactly as the in-memory
 * rule does over the stream's order.
 */
class NearDuplicateStageIT {
  @RegisterExtension
  static final MiniClusterExtension FLINK =
      new MiniClusterExtension(
          new MiniClusterResourceConfiguration.Builder().setNumberSlotsPerTaskManager(4).build());

  private record Outcome(List<String> kept, Map<String, DuplicateDocument> skipped) {
    /** What each skipped text was found to duplicate, as the in-memory rule says it. */
    Map<String, NearDuplicateIndex.Match> matches() {
      Map<String, NearDuplicateIndex.Match> out = new HashMap<>();
      skipped.forEach(
          (id, d) -> out.put(id, new NearDuplicateIndex.Match(d.getDuplicateOf(), d.getJaccard())));
      return out;
    }
  }

  @Test
  void inOneSubtaskItDecidesAsTheInMemoryRule() throws Exception {
    List<PlantedCorpus.Doc> docs = PlantedCorpus.generate(18);
    Outcome outcome = run(docs, 1, true);
    Map<String, NearDuplicateIndex.Match> expected = inMemory(docs);
    Map<String, NearDuplicateIndex.Match> actual = outcome.matches();
    System.out.printf(
        "near-duplicate stage, 1 subtask: %d documents, %d kept, %d near-duplicates%n",
        docs.size(), outcome.kept().size(), actual.size());
    assertThat(expected).hasSizeGreaterThanOrEqualTo(100);
    assertThat(actual).isEqualTo(expected);
    assertThat(outcome.kept()).hasSize(docs.size() - expected.size());
  }

  /**
   * Spread over subtasks, with texts racing through buckets on different subtasks, read paced or
   * all at once: the same decisions as the in-memory rule over the stream's order.
   */
  @ParameterizedTest(name = "{0} subtasks, paced: {1}")
  @CsvSource({"3, true", "4, false"})
  void acrossSubtasksPacedOrAllAtOnceItDecidesAsTheInMemoryRule(int parallelism, boolean paced)
      throws Exception {
    List<PlantedCorpus.Doc> docs = PlantedCorpus.generate(19);
    Outcome outcome = run(docs, parallelism, paced);
    Map<String, NearDuplicateIndex.Match> expected = inMemory(docs);
    Map<String, NearDuplicateIndex.Match> actual = outcome.matches();
    System.out.printf(
        "near-duplicate stage, %d subtasks, %s: %d documents, %d kept, %d near-duplicates%n",
        parallelism,
        paced ? "paced" : "all at once",
        docs.size(),
        outcome.kept().size(),
        actual.size());
    assertThat(actual).isEqualTo(expected);
    assertThat(new HashSet<>(outcome.kept())).hasSize(docs.size() - expected.size());
  }

  private static Map<String, NearDuplicateIndex.Match> inMemory(List<PlantedCorpus.Doc> docs) {
    NearDuplicates rule = NearDuplicates.defaults();
    NearDuplicateIndex index = new NearDuplicateIndex(NearDuplicates.THRESHOLD);
    Map<String, NearDuplicateIndex.Match> expected = new HashMap<>();
    for (PlantedCorpus.Doc d : docs) {
      index.offer(d.id(), rule.fingerprint(d.text())).ifPresent(m -> expected.put(d.id(), m));
    }
    return expected;
  }

  private static SourcedDocument paced(SourcedDocument doc) throws InterruptedException {
    Thread.sleep(4);
    return doc;
  }

  /**
   * Runs the stage over {@code docs}, their timestamps their positions, read at about 250
   * documents/s ({@code paced}: all subtasks keep up, and the order they see texts in differs only
   * by what is in flight between them) or as fast as they go.
   */
  private static Outcome run(List<PlantedCorpus.Doc> docs, int parallelism, boolean paced)
      throws Exception {
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
    MapFunction<SourcedDocument, SourcedDocument> pace =
        paced ? NearDuplicateStageIT::paced : d -> d;
    DataStream<SourcedDocument> source =
        env.fromData(input, TypeInformation.of(SourcedDocument.class))
            .assignTimestampsAndWatermarks(
                WatermarkStrategy.<SourcedDocument>forMonotonousTimestamps()
                    .withTimestampAssigner((d, t) -> d.origin().offset()))
            .map(pace)
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
