package io.nagselector.select;

import static org.assertj.core.api.Assertions.assertThat;

import io.nagselector.avro.SelectedDocument;
import io.nagselector.control.TargetUpdate;
import io.nagselector.pipeline.TargetDefinition;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.state.heap.HeapKeyedStateBackend;
import org.apache.flink.streaming.util.KeyedBroadcastOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.apache.flink.types.Either;
import org.junit.jupiter.api.Test;

/**
 * The whole-stream operator of a fraction target: every shard's decisions feed its quantile; a
 * document left undecided is published when the band excludes it or when the max-hold ends, by the
 * threshold in force then; a new version decides what the old one left; a removal drops it.
 */
class SettleFractionsTest {
  private static final List<int[]> EXAMPLES = List.of(new int[] {0, 1, 2, 3});

  private static TargetDefinition target(int version) {
    return new TargetDefinition(
        "t", version, "fp", TargetDefinition.Policy.FRACTION, 0.2, 3, 2, 2, EXAMPLES);
  }

  private static KeyedBroadcastOperatorTestHarness<
          String, Either<FractionVote, FractionCandidate>, TargetUpdate, SelectedDocument>
      harness() throws Exception {
    KeyedBroadcastOperatorTestHarness<
            String, Either<FractionVote, FractionCandidate>, TargetUpdate, SelectedDocument>
        h =
            ProcessFunctionTestHarnesses.forKeyedBroadcastProcessFunction(
                new SettleFractions(2, 100, Duration.ofSeconds(10), Duration.ofMillis(100)),
                SettleFractions::target,
                Types.STRING,
                ScoreAndSelect.TARGETS);
    h.processBroadcastElement(new TargetUpdate.Upsert(target(1)), 0);
    return h;
  }

  /** 100 shard decisions of 10 tokens, similarities .01 to 1.00, the top 20 accepted. */
  private static void hundredVotes(
      KeyedBroadcastOperatorTestHarness<
              String, Either<FractionVote, FractionCandidate>, TargetUpdate, SelectedDocument>
          h,
      int version)
      throws Exception {
    for (int i = 1; i <= 100; i++) {
      h.processElement(Either.Left(new FractionVote("t", version, 0.2, i / 100.0, 10, i > 80)), 0);
    }
  }

  private static int keyedStateEntries(KeyedBroadcastOperatorTestHarness<String, ?, ?, ?> h) {
    return ((HeapKeyedStateBackend<?>) h.getOperator().getKeyedStateBackend())
        .numKeyValueStateEntries();
  }

  private static Either<FractionVote, FractionCandidate> candidate(
      String id, double sim, int version, boolean shardAccepts) {
    SelectedDocument s =
        SelectedDocument.newBuilder()
            .setId(id)
            .setText("text of " + id)
            .setTokens(10)
            .setTarget("t")
            .setTargetVersion(version)
            .setSimilarity(sim)
            .setThreshold(0.5) // the shard's
            .setLayerContributions(List.of(sim / 2, sim / 2))
            .setModelFingerprint("fp")
            .setSelectedAt(Instant.EPOCH)
            .build();
    return Either.Right(new FractionCandidate("t", version, 0.2, 10, shardAccepts, s));
  }

  @Test
  void anUndecidedDocumentWaitsForTheBandOrTheMaxHold() throws Exception {
    try (var h = harness()) {
      hundredVotes(h, 1);
      // the band of 2 sigmas (.08 in rank, plus the sketch's .003) about the 0.8 quantile: after
      // 101 documents .73 to .90, so .95 is published at once; after 102, .60 is dropped at once
      // (its shard would have taken it); after 103, .85 waits (.73 to .89)
      h.setProcessingTime(1_000);
      h.processElement(candidate("high", 0.95, 1, false), 0);
      h.processElement(candidate("low", 0.60, 1, true), 0);
      h.processElement(candidate("near", 0.85, 1, false), 0);
      assertThat(h.extractOutputValues())
          .singleElement()
          .satisfies(
              s -> {
                assertThat(s.getId()).isEqualTo("high");
                assertThat(s.getThreshold()).as("the whole stream's").isEqualTo(0.81);
                assertThat(s.getSelectedAt()).isEqualTo(Instant.ofEpochMilli(1_000));
              });
      // the max-hold ends (10 s, timers at whole seconds): the threshold decides, and .85 is above
      // .82, the 0.8 quantile of the 103 documents
      h.setProcessingTime(10_999);
      assertThat(h.extractOutputValues()).hasSize(1);
      h.setProcessingTime(12_000);
      assertThat(h.extractOutputValues())
          .extracting(SelectedDocument::getId)
          .containsExactly("high", "near");
      assertThat(h.extractOutputValues().get(1).getThreshold()).isEqualTo(0.82);
      h.setProcessingTime(13_000);
      assertThat(keyedStateEntries(h)).as("nothing waits: the count only").isEqualTo(1);
      // the count accepted here joins the published top-k as shard -1
      assertThat(h.getSideOutput(ScoreAndSelect.TOP_K))
          .extracting(r -> r.getValue().shard() + ":" + r.getValue().accepted())
          .contains("-1:2");
    }
  }

  @Test
  void aNewVersionDecidesWhatTheOldOneLeftAndARemovalDropsIt() throws Exception {
    try (var h = harness()) {
      hundredVotes(h, 1);
      h.processElement(candidate("old", 0.85, 1, false), 0);
      assertThat(h.extractOutputValues()).isEmpty();
      // version 2: "old" is decided by version 1's threshold (.81): accepted
      h.processBroadcastElement(new TargetUpdate.Upsert(target(2)), 0);
      h.processElement(candidate("new", 0.5, 2, false), 0);
      assertThat(h.extractOutputValues())
          .extracting(SelectedDocument::getId)
          .containsExactly("old");
      // a late candidate of version 1 is decided by its shard
      h.processElement(candidate("late", 0.3, 1, true), 0);
      assertThat(h.extractOutputValues())
          .extracting(SelectedDocument::getId)
          .containsExactly("old", "late");
      // removed: what waited is dropped, and the max-hold publishes nothing
      h.processBroadcastElement(new TargetUpdate.Removal("t", 3), 0);
      h.setProcessingTime(60_000);
      assertThat(h.extractOutputValues()).hasSize(2);
      assertThat(keyedStateEntries(h)).isZero();
    }
  }
}
