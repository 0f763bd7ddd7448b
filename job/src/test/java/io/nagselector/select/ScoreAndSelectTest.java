package io.nagselector.select;

import static org.assertj.core.api.Assertions.assertThat;

import io.nagselector.avro.CrawlDocument;
import io.nagselector.avro.DeadLetterReason;
import io.nagselector.avro.SelectedDocument;
import io.nagselector.control.TargetUpdate;
import io.nagselector.ingest.DeadLetters;
import io.nagselector.nag.RunningTopK;
import io.nagselector.pipeline.ExtractedDocument;
import io.nagselector.pipeline.ShardTopK;
import io.nagselector.pipeline.TargetDefinition;
import java.time.Duration;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.heap.HeapKeyedStateBackend;
import org.apache.flink.streaming.api.operators.co.CoBroadcastWithKeyedOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedBroadcastOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.Test;

/**
 * Scoring against broadcast targets. L=2, K=2; examples [0,1|2,3] and [0,2|2,4] give the profile
 * layer 0 {0:.5, 1:.25, 2:.25}, layer 1 {2:.5, 3:.25, 4:.25}: d1 [0,1|2,3] scores .75, d2 [0,5|2,4]
 * .625, d3 [7,8|9,6] 0, d5 [0,2|3,2] .75.
 */
class ScoreAndSelectTest {
  private static final List<int[]> EXAMPLES =
      List.of(new int[] {0, 1, 2, 3}, new int[] {0, 2, 2, 4});

  private static TargetDefinition target(
      String name, int version, TargetDefinition.Policy policy, double value, String fingerprint) {
    return new TargetDefinition(name, version, fingerprint, policy, value, 3, 2, 2, EXAMPLES);
  }

  private static ExtractedDocument doc(String id, int tokens, int... feature) {
    return new ExtractedDocument(
        CrawlDocument.newBuilder().setId(id).setText("text " + id).setUrl("u/" + id).build(),
        feature,
        tokens);
  }

  private static KeyedBroadcastOperatorTestHarness<
          Integer, ExtractedDocument, TargetUpdate, SelectedDocument>
      harness(int warmUp) throws Exception {
    return harness(warmUp, false);
  }

  private static KeyedBroadcastOperatorTestHarness<
          Integer, ExtractedDocument, TargetUpdate, SelectedDocument>
      harness(int warmUp, boolean awaitReplay) throws Exception {
    return ProcessFunctionTestHarnesses.forKeyedBroadcastProcessFunction(
        new ScoreAndSelect("fp", warmUp, 0, Duration.ofMillis(100), awaitReplay),
        d -> ScoreAndSelect.shard(d.document().getId(), 1),
        Types.INT,
        ScoreAndSelect.TARGETS);
  }

  private static KeyedBroadcastOperatorTestHarness<
          Integer, ExtractedDocument, TargetUpdate, SelectedDocument>
      unopenedHarness(int warmUp) throws Exception {
    return new KeyedBroadcastOperatorTestHarness<>(
        new CoBroadcastWithKeyedOperator<>(
            new ScoreAndSelect("fp", warmUp, 0, Duration.ofMillis(100), false),
            List.of(ScoreAndSelect.TARGETS)),
        d -> ScoreAndSelect.shard(d.document().getId(), 1),
        Types.INT,
        1,
        1,
        0);
  }

  private static int keyedStateEntries(KeyedBroadcastOperatorTestHarness<Integer, ?, ?, ?> h) {
    return ((HeapKeyedStateBackend<?>) h.getOperator().getKeyedStateBackend())
        .numKeyValueStateEntries();
  }

  @Test
  void afterAStartWithoutStateDocumentsWaitForTheReplayedRegistryInOrder() throws Exception {
    try (var h = harness(10, true)) {
      h.setProcessingTime(0);
      h.processBroadcastElement(
          new TargetUpdate.Upsert(target("sci", 1, TargetDefinition.Policy.THRESHOLD, 0.7, "fp")),
          0);
      h.processElement(doc("d1", 10, 0, 1, 2, 3), 0);
      h.processElement(doc("d5", 5, 0, 2, 3, 2), 0);
      h.setProcessingTime(1_000);
      assertThat(h.extractOutputValues()).as("waiting for the replay").isEmpty();
      // the last replayed command replaces the target; then the replay's mark
      h.processBroadcastElement(
          new TargetUpdate.Upsert(target("sci", 2, TargetDefinition.Policy.THRESHOLD, 0.7, "fp")),
          0);
      h.processBroadcastElement(new TargetUpdate.EndOfReplay(), 0);
      h.setProcessingTime(1_200);
      assertThat(h.extractOutputValues())
          .extracting(d -> d.getId() + " v" + d.getTargetVersion())
          .containsExactly("d1 v2", "d5 v2");
      // the mark is not a target, and from now on documents are scored as they come
      h.processElement(doc("d2", 20, 0, 5, 2, 4), 0);
      h.processElement(doc("d9", 20, 0, 1, 2, 3), 0);
      assertThat(h.extractOutputValues()).hasSize(3);
      assertThat(h.numProcessingTimeTimers()).isEqualTo(1); // the top-k's only
    }
  }

  @Test
  void thresholdPolicyAcceptsAtOrAboveTheThresholdWithAnExplanation() throws Exception {
    try (var h = harness(10)) {
      h.processBroadcastElement(
          new TargetUpdate.Upsert(target("sci", 1, TargetDefinition.Policy.THRESHOLD, 0.7, "fp")),
          0);
      h.processElement(doc("d1", 10, 0, 1, 2, 3), 0);
      h.processElement(doc("d2", 20, 0, 5, 2, 4), 0);
      h.processElement(doc("d5", 5, 0, 2, 3, 2), 0);
      List<SelectedDocument> out = h.extractOutputValues();
      assertThat(out).extracting(SelectedDocument::getId).containsExactly("d1", "d5");
      SelectedDocument d1 = out.get(0);
      assertThat(d1.getSimilarity()).isEqualTo(0.75);
      assertThat(d1.getThreshold()).isEqualTo(0.7);
      assertThat(d1.getLayerContributions()).containsExactly(0.375, 0.375);
      assertThat(d1.getTarget()).isEqualTo("sci");
      assertThat(d1.getTargetVersion()).isEqualTo(1);
      assertThat(d1.getText()).isEqualTo("text d1");
    }
  }

  /** What the shards told the target's whole-stream rule: votes and undecided documents. */
  private static List<String> votes(KeyedBroadcastOperatorTestHarness<Integer, ?, ?, ?> h) {
    return h.getSideOutput(ScoreAndSelect.FRACTION_VOTES).stream()
        .map(StreamRecord::getValue)
        .map(
            v ->
                v.isLeft()
                    ? (v.left().accepted() ? "accepted " : "rejected ") + v.left().similarity()
                    : "undecided " + v.right().selection().getId())
        .toList();
  }

  @Test
  void fractionPolicyLeavesTheWarmUpToTheWholeStreamThenDecidesEachDocumentByItsQuantile()
      throws Exception {
    try (var h = harness(2)) {
      h.processBroadcastElement(
          new TargetUpdate.Upsert(target("sci", 1, TargetDefinition.Policy.FRACTION, 0.5, "fp")),
          0);
      h.processElement(doc("d1", 10, 0, 1, 2, 3), 0);
      assertThat(h.extractOutputValues()).isEmpty();
      assertThat(votes(h)).containsExactly("undecided d1");
      // warm: {d1 .75 x10, d2 .625 x10}, the median is .625 and none of it due
      h.processElement(doc("d2", 10, 0, 5, 2, 4), 0);
      assertThat(votes(h)).containsExactly("undecided d1", "rejected 0.625");
      // d3 is far below; the token-weighted median of {.75 x10, .625 x10, d3 x5} is .625
      h.processElement(doc("d3", 5, 7, 8, 9, 6), 0);
      h.processElement(doc("d5", 5, 0, 2, 3, 2), 0);
      List<SelectedDocument> out = h.extractOutputValues();
      assertThat(out).extracting(SelectedDocument::getId).containsExactly("d5");
      assertThat(out.get(0).getThreshold()).isEqualTo(0.625);
    }
  }

  @Test
  void publishesEachShardsTopKOnATimerAndThenRestsUntilTheNextDocument() throws Exception {
    try (var h = harness(10)) {
      h.setProcessingTime(0);
      h.processBroadcastElement(
          new TargetUpdate.Upsert(target("sci", 1, TargetDefinition.Policy.THRESHOLD, 0.9, "fp")),
          0);
      h.processElement(doc("d1", 10, 0, 1, 2, 3), 0);
      h.processElement(doc("d2", 20, 0, 5, 2, 4), 0);
      h.processElement(doc("d3", 5, 7, 8, 9, 6), 0);
      h.processElement(doc("d5", 5, 0, 2, 3, 2), 0);
      assertThat(h.numProcessingTimeTimers()).isEqualTo(1);
      h.setProcessingTime(100);
      List<ShardTopK> published =
          h.getSideOutput(ScoreAndSelect.TOP_K).stream().map(StreamRecord::getValue).toList();
      assertThat(published).hasSize(1);
      assertThat(published.get(0).version()).isEqualTo(1);
      assertThat(published.get(0).entries())
          .extracting(RunningTopK.Entry::docId)
          .containsExactly("d1", "d5", "d2");
      assertThat(published.get(0).accepted()).isZero();
      assertThat(published.get(0).threshold()).isEqualTo(0.9);
      assertThat(h.numProcessingTimeTimers()).isZero();
    }
  }

  @Test
  void aNewVersionStartsAFreshWarmUp() throws Exception {
    try (var h = harness(2)) {
      h.processBroadcastElement(
          new TargetUpdate.Upsert(target("sci", 1, TargetDefinition.Policy.FRACTION, 0.5, "fp")),
          0);
      h.processElement(doc("d1", 10, 0, 1, 2, 3), 0);
      h.processBroadcastElement(
          new TargetUpdate.Upsert(target("sci", 2, TargetDefinition.Policy.FRACTION, 0.5, "fp")),
          0);
      h.processElement(doc("d5", 5, 0, 2, 3, 2), 0);
      assertThat(h.extractOutputValues()).isEmpty(); // d5 is the first of version 2's warm-up
    }
  }

  @Test
  void rejectsATargetOfAnotherModelAndDropsARemovedTargetsState() throws Exception {
    try (var h = harness(10)) {
      h.processBroadcastElement(
          new TargetUpdate.Upsert(
              target("other", 1, TargetDefinition.Policy.THRESHOLD, 0.1, "another-model")),
          0);
      assertThat(h.getSideOutput(DeadLetters.TAG))
          .extracting(StreamRecord::getValue)
          .extracting(d -> d.getReason())
          .containsExactly(DeadLetterReason.INVALID_COMMAND);
      h.processBroadcastElement(
          new TargetUpdate.Upsert(target("sci", 1, TargetDefinition.Policy.THRESHOLD, 0.7, "fp")),
          0);
      h.processElement(doc("d1", 10, 0, 1, 2, 3), 0);
      // sci's state, its accepted count (d1) and the snapshot timer
      assertThat(keyedStateEntries(h)).isEqualTo(3);
      h.processBroadcastElement(new TargetUpdate.Removal("sci", 2), 0);
      assertThat(keyedStateEntries(h)).isEqualTo(1); // only the snapshot timer is left
      h.processElement(doc("d5", 5, 0, 2, 3, 2), 0);
      assertThat(h.extractOutputValues()).extracting(SelectedDocument::getId).containsExactly("d1");
    }
  }

  @Test
  void aWarmingUpShardHoldsNoDocumentAndARemovalDropsItsState() throws Exception {
    try (var h = harness(10)) {
      h.processBroadcastElement(
          new TargetUpdate.Upsert(target("sci", 1, TargetDefinition.Policy.FRACTION, 0.5, "fp")),
          0);
      h.processElement(doc("d1", 10, 0, 1, 2, 3), 0);
      h.processElement(doc("d2", 20, 0, 5, 2, 4), 0);
      assertThat(keyedStateEntries(h)).isEqualTo(2); // sci's state and the timer
      assertThat(votes(h)).containsExactly("undecided d1", "undecided d2");
      h.processBroadcastElement(new TargetUpdate.Removal("sci", 2), 0);
      assertThat(keyedStateEntries(h)).isEqualTo(1);
      assertThat(h.extractOutputValues()).isEmpty();
    }
  }

  @Test
  void theRunningQuantileSurvivesASnapshotAndRestore() throws Exception {
    List<Double> uninterrupted;
    try (var h = harness(0)) {
      h.processBroadcastElement(
          new TargetUpdate.Upsert(target("sci", 1, TargetDefinition.Policy.FRACTION, 0.5, "fp")),
          0);
      h.processElement(doc("d1", 10, 0, 1, 2, 3), 0); // .75 x10
      h.processElement(doc("d2", 20, 0, 5, 2, 4), 0); // .625 x20
      h.processElement(doc("d5", 1, 0, 2, 3, 2), 0); // .75 x1
      uninterrupted = thresholdsOf(h, "d5");
    }
    OperatorSubtaskState snapshot;
    try (var h = harness(0)) {
      h.processBroadcastElement(
          new TargetUpdate.Upsert(target("sci", 1, TargetDefinition.Policy.FRACTION, 0.5, "fp")),
          0);
      h.processElement(doc("d1", 10, 0, 1, 2, 3), 0);
      h.processElement(doc("d2", 20, 0, 5, 2, 4), 0);
      snapshot = h.snapshot(1, 1);
    }
    try (var h = unopenedHarness(0)) {
      h.initializeState(snapshot);
      h.open();
      // the restored sketch and accepted tokens give d5 the threshold it had without the restore
      h.processElement(doc("d5", 1, 0, 2, 3, 2), 0);
      assertThat(uninterrupted).hasSize(1);
      assertThat(thresholdsOf(h, "d5")).isEqualTo(uninterrupted);
    }
  }

  private static List<Double> thresholdsOf(
      KeyedBroadcastOperatorTestHarness<Integer, ExtractedDocument, TargetUpdate, SelectedDocument>
          h,
      String id) {
    return h.extractOutputValues().stream()
        .filter(d -> d.getId().equals(id))
        .map(SelectedDocument::getThreshold)
        .toList();
  }

  @Test
  void aPausedTargetScoresNothingAndResumesWhereItWas() throws Exception {
    try (var h = harness(10)) {
      TargetDefinition sci = target("sci", 1, TargetDefinition.Policy.THRESHOLD, 0.7, "fp");
      h.processBroadcastElement(new TargetUpdate.Upsert(sci), 0);
      h.processElement(doc("d1", 10, 0, 1, 2, 3), 0);
      h.processBroadcastElement(new TargetUpdate.Upsert(sci.withPaused(true)), 0);
      h.processElement(doc("d5", 5, 0, 2, 3, 2), 0);
      h.processBroadcastElement(new TargetUpdate.Upsert(sci), 0);
      h.processElement(doc("d6", 5, 0, 1, 2, 3), 0);
      assertThat(h.extractOutputValues())
          .extracting(SelectedDocument::getId)
          .containsExactly("d1", "d6");
      h.setProcessingTime(100);
      assertThat(h.getSideOutput(ScoreAndSelect.TOP_K))
          .extracting(r -> r.getValue().entries().length + " " + r.getValue().accepted())
          .containsExactly("2 2"); // d1 and d6 kept and counted across the pause; d5 never scored
    }
  }
}
