package io.nagselector.nag;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** One target version on one shard: each policy's decisions, the warm-up, the top-k. */
class ShardSelectionTest {
  private static FractionPolicy.Scored doc(String id, double sim) {
    return new FractionPolicy.Scored(id, sim, 10);
  }

  private static final Supplier<List<FractionPolicy.Scored>> NOT_YET =
      () -> {
        throw new AssertionError("only a shard's own warm-up, of an earlier build, is read");
      };

  @Test
  void aThresholdTargetAcceptsAtOrAboveItAndKeepsItsTopK() {
    ShardSelection shard = ShardSelection.start(1, 2);
    assertThat(shard.warmUpLeft()).as("a threshold target has no warm-up").isZero();
    assertThat(shard.offer(doc("a", 0.5), "u", 0.5))
        .isEqualTo(
            new ShardSelection.Result(List.of(doc("a", 0.5)), List.of(), List.of(), 0.5, true));
    assertThat(shard.offer(doc("b", 0.4), "u", 0.5))
        .isEqualTo(
            new ShardSelection.Result(List.of(), List.of(doc("b", 0.4)), List.of(), 0.5, true));
    // c enters the top 2 and pushes b out; d is below both kept
    assertThat(shard.offer(doc("c", 0.9), "u", 0.5).stateChanged()).isTrue();
    assertThat(shard.offer(doc("d", 0.1), "u", 0.5).stateChanged()).isFalse();
    assertThat(shard.topK().best()).extracting(RunningTopK.Entry::docId).containsExactly("c", "a");
    assertThat(shard.accepted()).isEqualTo(2);
  }

  @Test
  void aFractionTargetLeavesItsWarmUpToTheWholeStreamThenDecidesEachDocument() {
    FractionPolicy fraction = new FractionPolicy(0.5);
    ShardSelection shard = ShardSelection.start(1, 10);
    for (FractionPolicy.Scored d :
        List.of(doc("w", 0.2), doc("x", 0.8), doc("y", 0.4), doc("z", 0.6))) {
      assertThat(shard.offer(d, "u", fraction, 0, 5, NOT_YET))
          .isEqualTo(new ShardSelection.Result(List.of(), List.of(), List.of(d), Double.NaN, true));
    }
    assertThat(shard.accepted()).isZero();
    // the fifth: .2 .3 .4 .6 .8, the median .4, none of it due
    assertThat(shard.offer(doc("v", 0.3), "u", fraction, 0, 5, NOT_YET))
        .isEqualTo(
            new ShardSelection.Result(List.of(), List.of(doc("v", 0.3)), List.of(), 0.4, true));
    assertThat(shard.offer(doc("t", 0.7), "u", fraction, 0, 5, NOT_YET).accepted())
        .containsExactly(doc("t", 0.7));
    assertThat(shard.accepted()).isEqualTo(1);
    assertThat(shard.topK().best())
        .extracting(RunningTopK.Entry::docId)
        .containsExactly("x", "t", "z", "y", "v", "w");
  }

  @Test
  void aWarmUpAnEarlierBuildHeldOnTheShardGoesToTheWholeStreamWithTheNextDocument() {
    FractionPolicy fraction = new FractionPolicy(0.5);
    for (int i = 1; i <= 10; i++) {
      fraction.observe(i / 10.0, 10);
    }
    ShardSelection restored = ShardSelection.restore(3, 2, 5, List.of(), 0);
    List<FractionPolicy.Scored> held = List.of(doc("a", 0.9), doc("b", 0.1));
    ShardSelection.Result r = restored.offer(doc("c", 0.95), "u", fraction, 0, 5, () -> held);
    assertThat(r)
        .isEqualTo(new ShardSelection.Result(List.of(doc("c", 0.95)), List.of(), held, 0.6, true));
    assertThat(restored.warmUpLeft()).isZero();
    assertThat(restored.offer(doc("d", 0.05), "u", fraction, 0, 5, NOT_YET).undecided()).isEmpty();
  }

  @Test
  void aRestoredShardContinuesWhereItWasAndAFreshOneIsMarked() {
    ShardSelection started = ShardSelection.start(2, 5);
    assertThat(started.fresh()).isTrue();
    assertThat(started.version()).isEqualTo(2);
    assertThat(started.warmUpLeft()).isZero();
    ShardSelection restored =
        ShardSelection.restore(2, 0, 5, List.of(new RunningTopK.Entry("a", 0.9, 10, "u")), 7);
    assertThat(restored.fresh()).isFalse();
    FractionPolicy fraction = new FractionPolicy(0.5);
    fraction.observe(0.5, 10);
    assertThat(restored.offer(doc("b", 0.95), "u", fraction, 0, 1, NOT_YET).accepted())
        .containsExactly(doc("b", 0.95));
    assertThat(restored.accepted()).isEqualTo(8);
    assertThat(restored.topK().best())
        .extracting(RunningTopK.Entry::docId)
        .containsExactly("b", "a");
  }
}
