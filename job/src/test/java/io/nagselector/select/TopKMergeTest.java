package io.nagselector.select;

import static org.assertj.core.api.Assertions.assertThat;

import io.nagselector.avro.TopKEntry;
import io.nagselector.avro.TopKSnapshot;
import io.nagselector.nag.RunningTopK;
import io.nagselector.pipeline.SettledCount;
import io.nagselector.pipeline.ShardTopK;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.apache.flink.types.Either;
import org.apache.flink.util.Collector;
import org.junit.jupiter.api.Test;

class TopKMergeTest {
  private static RunningTopK.Entry e(String id, double sim) {
    return new RunningTopK.Entry(id, sim, 1, null);
  }

  private static Either<ShardTopK, SettledCount> shard(
      int version, int k, int shard, long accepted, double threshold, RunningTopK.Entry... best) {
    return Either.Left(new ShardTopK("t", version, k, shard, best, accepted, threshold));
  }

  private static Either<ShardTopK, SettledCount> settled(int version, long accepted) {
    return Either.Right(new SettledCount("t", version, accepted));
  }

  private static KeyedOneInputStreamOperatorTestHarness<
          String, Either<ShardTopK, SettledCount>, TopKSnapshot>
      harness() throws Exception {
    return ProcessFunctionTestHarnesses.forKeyedProcessFunction(
        new TopKMerge(), TopKMerge::target, Types.STRING);
  }

  @Test
  void mergesTheLatestTopKOfEveryShardOfTheNewestVersion() throws Exception {
    try (var h = harness()) {
      h.processElement(shard(1, 2, 0, 2, 0.4, e("a", 0.9), e("b", 0.5)), 0);
      h.processElement(shard(1, 2, 1, 1, Double.NaN, e("c", 0.7)), 0);
      h.processElement(shard(1, 2, 0, 3, 0.45, e("a", 0.9), e("d", 0.8)), 0);
      h.processElement(shard(2, 2, 1, 0, Double.NaN, e("x", 0.1)), 0);
      h.processElement(shard(1, 2, 0, 9, 0.5, e("late", 1.0)), 0);
      List<TopKSnapshot> out = h.extractOutputValues();
      assertThat(out).hasSize(4);
      assertThat(out.get(1).getEntries()).extracting(TopKEntry::getDocId).containsExactly("a", "c");
      assertThat(out.get(2).getEntries()).extracting(TopKEntry::getDocId).containsExactly("a", "d");
      assertThat(out.get(3).getTargetVersion()).isEqualTo(2);
      assertThat(out.get(3).getEntries()).extracting(TopKEntry::getDocId).containsExactly("x");
      // accepted sums the shards' latest counts; the threshold is the highest known, if any
      assertThat(out).extracting(TopKSnapshot::getAccepted).containsExactly(2L, 3L, 4L, 0L);
      assertThat(out).extracting(TopKSnapshot::getThreshold).containsExactly(0.4, 0.4, 0.45, null);
    }
  }

  @Test
  void publishesTheTargetsOwnK() throws Exception {
    try (var h = harness()) {
      h.processElement(shard(1, 3, 0, 3, 0.3, e("a", 0.9), e("b", 0.5), e("c", 0.4)), 0);
      h.processElement(shard(1, 3, 1, 2, 0.3, e("d", 0.7), e("e", 0.6)), 0);
      assertThat(h.extractOutputValues().get(1).getEntries())
          .extracting(TopKEntry::getDocId)
          .containsExactly("a", "d", "e");
    }
  }

  @Test
  void addsTheWholeStreamRulesCountOfTheSameVersion() throws Exception {
    try (var h = harness()) {
      h.processElement(settled(1, 2), 0); // before any shard's top-k: the count alone
      assertThat(h.extractOutputValues().get(0).getEntries()).isEmpty();
      h.processElement(shard(1, 2, 0, 3, 0.4, e("a", 0.9)), 0);
      h.processElement(settled(1, 5), 0);
      h.processElement(settled(1, 6), 0);
      h.processElement(settled(0, 100), 0); // an older version's: ignored
      h.processElement(shard(2, 2, 0, 1, 0.4, e("b", 0.9)), 0); // a new version starts at 0
      assertThat(h.extractOutputValues())
          .extracting(TopKSnapshot::getAccepted)
          .containsExactly(2L, 5L, 8L, 9L, 1L);
      assertThat(h.extractOutputValues().get(3).getEntries())
          .extracting(TopKEntry::getDocId)
          .containsExactly("a");
    }
  }

  /**
   * Earlier builds (savepoint fixtures v1 to v8) kept the whole-stream rule's count as shard -1.
   */
  @Test
  void anEarlierBuildsCountUnderShardMinusOneIsTheSettledCount() throws Exception {
    OperatorSubtaskState earlier;
    try (var old =
        ProcessFunctionTestHarnesses.forKeyedProcessFunction(
            new ShardsOfAnEarlierBuild(), TopKMerge::target, Types.STRING)) {
      old.processElement(shard(1, 2, -1, 4, Double.NaN), 0);
      old.processElement(shard(1, 2, 0, 3, 0.4, e("a", 0.9)), 0);
      earlier = old.snapshot(1, 0);
    }
    try (var h =
        new KeyedOneInputStreamOperatorTestHarness<>(
            new KeyedProcessOperator<>(new TopKMerge()), TopKMerge::target, Types.STRING)) {
      h.setup();
      h.initializeState(earlier);
      h.open();
      h.processElement(settled(1, 5), 0);
      h.processElement(shard(1, 2, 1, 1, 0.4, e("b", 0.8)), 0);
      assertThat(h.extractOutputValues())
          .extracting(TopKSnapshot::getAccepted)
          .containsExactly(8L, 9L);
      assertThat(h.extractOutputValues().get(1).getEntries())
          .extracting(TopKEntry::getDocId)
          .containsExactly("a", "b");
    }
  }

  /** Stores each update under its shard number, as every build of the merge has. */
  private static final class ShardsOfAnEarlierBuild
      extends KeyedProcessFunction<String, Either<ShardTopK, SettledCount>, TopKSnapshot> {
    private transient MapState<Integer, ShardTopK> shards;

    @Override
    public void open(OpenContext context) {
      shards =
          getRuntimeContext()
              .getMapState(
                  new MapStateDescriptor<>(
                      "shards", Types.INT, TypeInformation.of(ShardTopK.class)));
    }

    @Override
    public void processElement(
        Either<ShardTopK, SettledCount> in, Context ctx, Collector<TopKSnapshot> out)
        throws Exception {
      shards.put(in.left().shard(), in.left());
    }
  }
}
