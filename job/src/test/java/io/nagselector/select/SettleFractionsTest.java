package io.nagselector.select;

import static org.assertj.core.api.Assertions.assertThat;

import io.nagselector.avro.SelectedDocument;
import io.nagselector.control.TargetUpdate;
import io.nagselector.nag.FractionPolicy;
import io.nagselector.pipeline.FractionSketches;
import io.nagselector.pipeline.SettledCount;
import io.nagselector.pipeline.TargetDefinition;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.runtime.state.OperatorStateHandle;
import org.apache.flink.runtime.state.heap.HeapKeyedStateBackend;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.functions.co.KeyedBroadcastProcessFunction;
import org.apache.flink.streaming.api.operators.co.CoBroadcastWithKeyedOperator;
import org.apache.flink.streaming.util.KeyedBroadcastOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.apache.flink.types.Either;
import org.apache.flink.util.Collector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

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
                settle(), SettleFractions::target, Types.STRING);
    h.processBroadcastElement(new TargetUpdate.Upsert(target(1)), 0);
    return h;
  }

  private static SettleFractions settle() {
    return new SettleFractions(2, 100, Duration.ofSeconds(10), Duration.ofMillis(100));
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
      assertThat(keyedStateEntries(h))
          .as("nothing waits: the count, the sketch and its updates since written")
          .isEqualTo(3);
      // the count accepted here joins the published top-k, a publish interval after each
      assertThat(h.getSideOutput(SettleFractions.ACCEPTED))
          .extracting(r -> r.getValue())
          .containsExactly(new SettledCount("t", 1, 1), new SettledCount("t", 1, 2));
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

  /**
   * The quantile is restored as it was, from its sketch as last written and the updates since: of
   * 100 votes none written yet, of 1,030 all but 6 (written every 1,024 updates).
   */
  @ParameterizedTest(name = "{0} votes")
  @ValueSource(ints = {100, 1_030})
  void aRestoredQuantileIsTheOneThatWasSnapshotted(int votes) throws Exception {
    OperatorSubtaskState snapshot;
    double live;
    try (var h = harness()) {
      for (int i = 0; i < votes; i++) {
        double sim = (i % 100 + 1) / 100.0;
        h.processElement(Either.Left(new FractionVote("t", 1, 0.2, sim, 10, sim > 0.8)), 0);
      }
      snapshot = h.snapshot(1, 0);
      h.processElement(candidate("high", 0.95, 1, false), 0);
      live = h.extractOutputValues().get(0).getThreshold();
    }
    try (var h = restored(snapshot)) {
      h.processElement(candidate("high", 0.95, 1, false), 0);
      assertThat(h.extractOutputValues())
          .singleElement()
          .satisfies(s -> assertThat(s.getThreshold()).isEqualTo(live));
    }
  }

  /**
   * An earlier build's state (savepoint fixtures v5 to v8): the sketches in union operator state.
   * The first time the target is seen, its sketch moves to keyed state; the next snapshot's union
   * is empty, and a restore from it still has the quantile.
   */
  @Test
  void anEarlierBuildsUnionSketchMovesToKeyedStateOnce() throws Exception {
    FractionPolicy policy = new FractionPolicy(0.2);
    for (int i = 1; i <= 100; i++) {
      policy.observe(i / 100.0, 10);
      policy.decided(10, i > 80);
    }
    OperatorSubtaskState earlier;
    try (var old =
        ProcessFunctionTestHarnesses.forKeyedBroadcastProcessFunction(
            new UnionSketches(FractionSketches.Entry.of("t", 1, policy)),
            SettleFractions::target,
            Types.STRING)) {
      earlier = old.snapshot(1, 0);
    }
    assertThat(unionEntries(earlier)).isEqualTo(1);
    OperatorSubtaskState migrated;
    try (var h = restored(earlier)) {
      assertThat(unionEntries(h.snapshot(2, 0))).as("not seen yet: kept").isEqualTo(1);
      h.setProcessingTime(1_000);
      h.processElement(candidate("high", 0.95, 1, false), 0);
      // decided at once, by the 100 documents' quantile (as anUndecidedDocumentWaits...)
      assertThat(h.extractOutputValues())
          .singleElement()
          .satisfies(s -> assertThat(s.getThreshold()).isEqualTo(0.81));
      migrated = h.snapshot(3, 0);
    }
    assertThat(unionEntries(migrated)).as("moved to keyed state").isZero();
    try (var h = restored(migrated)) {
      h.processElement(candidate("higher", 0.99, 1, false), 0);
      // a fresh quantile would hold it for its warm-up of 100
      assertThat(h.extractOutputValues()).extracting(SelectedDocument::getId).contains("higher");
    }
  }

  private static KeyedBroadcastOperatorTestHarness<
          String, Either<FractionVote, FractionCandidate>, TargetUpdate, SelectedDocument>
      restored(OperatorSubtaskState state) throws Exception {
    var h =
        new KeyedBroadcastOperatorTestHarness<>(
            new CoBroadcastWithKeyedOperator<>(settle(), List.of()),
            SettleFractions::target,
            Types.STRING,
            1,
            1,
            0);
    h.setup();
    h.initializeState(state);
    h.open();
    return h;
  }

  private static int unionEntries(OperatorSubtaskState state) {
    int entries = 0;
    for (OperatorStateHandle handle : state.getManagedOperatorState()) {
      var info = handle.getStateNameToPartitionOffsets().get("whole-stream-sketches");
      entries += info == null ? 0 : info.getOffsets().length;
    }
    return entries;
  }

  /** The shape of an earlier build's operator: its sketches as union operator state. */
  private static final class UnionSketches
      extends KeyedBroadcastProcessFunction<
          String, Either<FractionVote, FractionCandidate>, TargetUpdate, SelectedDocument>
      implements CheckpointedFunction {
    private final FractionSketches.Entry entry;
    private transient ListState<FractionSketches.Entry> union;

    UnionSketches(FractionSketches.Entry entry) {
      this.entry = entry;
    }

    @Override
    public void processElement(
        Either<FractionVote, FractionCandidate> in,
        ReadOnlyContext ctx,
        Collector<SelectedDocument> out) {}

    @Override
    public void processBroadcastElement(
        TargetUpdate update, Context ctx, Collector<SelectedDocument> out) {}

    @Override
    public void snapshotState(FunctionSnapshotContext context) throws Exception {
      union.update(List.of(entry));
    }

    @Override
    public void initializeState(FunctionInitializationContext context) throws Exception {
      union =
          context
              .getOperatorStateStore()
              .getUnionListState(
                  new ListStateDescriptor<>(
                      "whole-stream-sketches", TypeInformation.of(FractionSketches.Entry.class)));
    }
  }
}
