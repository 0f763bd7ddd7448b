package io.nagselector.nag;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * One target version on one shard: each policy's decisions, the warm-up's boundaries, the top-k.
 */
class ShardSelectionTest {
  private static FractionPolicy.Scored doc(String id, double sim) {
    return new FractionPolicy.Scored(id, sim, 10);
  }

  private static final Supplier<List<FractionPolicy.Scored>> NOT_YET =
      () -> {
        throw new AssertionError("the held documents are read only by the last warm-up place");
      };

  @Test
  void aThresholdTargetAcceptsAtOrAboveItAndKeepsItsTopK() {
    ShardSelection shard = ShardSelection.start(1, false, 5, 2);
    assertThat(shard.warmUpLeft()).as("a threshold target has no warm-up").isZero();
    assertThat(shard.offer(doc("a", 0.5), "u", 0.5))
        .isEqualTo(
            new ShardSelection.Result(
                List.of(doc("a", 0.5)), List.of(), List.of(), false, 0.5, true));
    assertThat(shard.offer(doc("b", 0.4), "u", 0.5))
        .isEqualTo(
            new ShardSelection.Result(
                List.of(), List.of(doc("b", 0.4)), List.of(), false, 0.5, true));
    // c enters the top 2 and pushes b out; d is below both kept
    assertThat(shard.offer(doc("c", 0.9), "u", 0.5).stateChanged()).isTrue();
    assertThat(shard.offer(doc("d", 0.1), "u", 0.5).stateChanged()).isFalse();
    assertThat(shard.topK().best()).extracting(RunningTopK.Entry::docId).containsExactly("c", "a");
    assertThat(shard.accepted()).isEqualTo(2);
  }

  @Test
  void aFractionTargetHoldsItsWarmUpThenDecidesItByTheQuantileThenEachDocument() {
    FractionPolicy fraction = new FractionPolicy(0.5);
    ShardSelection shard = ShardSelection.start(1, true, 4, 10);
    List<FractionPolicy.Scored> held = new ArrayList<>();
    for (FractionPolicy.Scored d : List.of(doc("w", 0.2), doc("x", 0.8), doc("y", 0.4))) {
      ShardSelection.Result r = shard.offer(d, "u", fraction, 0, NOT_YET);
      assertThat(r.held()).isTrue();
      assertThat(r.accepted()).isEmpty();
      assertThat(r.threshold()).isNaN();
      held.add(d);
    }
    assertThat(shard.warmUpLeft()).isEqualTo(1);
    // the fourth place: .2 .4 .6 .8 (10 tokens each); the median is .4 and none of it is due
    ShardSelection.Result decided = shard.offer(doc("z", 0.6), "u", fraction, 0, () -> held);
    assertThat(decided)
        .isEqualTo(
            new ShardSelection.Result(
                List.of(doc("x", 0.8), doc("z", 0.6)),
                List.of(doc("w", 0.2), doc("y", 0.4)),
                List.of(),
                false,
                0.4,
                true));
    assertThat(shard.warmUpLeft()).isZero();
    assertThat(shard.accepted()).isEqualTo(2);
    // then each document by the threshold in force: .2 .3 .4 .6 .8, median .4
    assertThat(shard.offer(doc("v", 0.3), "u", fraction, 0, NOT_YET))
        .isEqualTo(
            new ShardSelection.Result(
                List.of(), List.of(doc("v", 0.3)), List.of(), false, 0.4, true));
    assertThat(shard.offer(doc("t", 0.7), "u", fraction, 0, NOT_YET).accepted())
        .containsExactly(doc("t", 0.7));
    assertThat(shard.accepted()).isEqualTo(3);
    assertThat(fraction.acceptedShare()).isEqualTo(30.0 / 60);
    assertThat(shard.topK().best())
        .extracting(RunningTopK.Entry::docId)
        .containsExactly("x", "t", "z", "y", "v", "w");
  }

  @Test
  void aRestoredShardContinuesWhereItWasAndAFreshOneIsMarked() {
    ShardSelection started = ShardSelection.start(2, true, 3, 5);
    assertThat(started.fresh()).isTrue();
    assertThat(started.version()).isEqualTo(2);
    assertThat(started.warmUpLeft()).isEqualTo(3);
    ShardSelection restored =
        ShardSelection.restore(2, 0, 5, List.of(new RunningTopK.Entry("a", 0.9, 10, "u")), 7);
    assertThat(restored.fresh()).isFalse();
    FractionPolicy fraction = new FractionPolicy(0.5);
    fraction.observe(0.5, 10);
    assertThat(restored.offer(doc("b", 0.95), "u", fraction, 0, NOT_YET).accepted())
        .containsExactly(doc("b", 0.95));
    assertThat(restored.accepted()).isEqualTo(8);
    assertThat(restored.topK().best())
        .extracting(RunningTopK.Entry::docId)
        .containsExactly("b", "a");
  }
}
