package io.nagselector.select;

import static org.assertj.core.api.Assertions.assertThat;

import io.nagselector.pipeline.FractionSketches;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Checkpointing the per-instance sketches: every observation counted once after any restore. */
class FractionSketchesTest {
  private static List<FractionSketches.Entry> snapshot(List<InstanceSketches> instances) {
    List<FractionSketches.Entry> all = new ArrayList<>();
    for (int i = 0; i < instances.size(); i++) {
      all.addAll(instances.get(i).snapshot(i == 0));
    }
    return all;
  }

  @Test
  void restoresCountEveryObservationOnceAtAnyParallelism() {
    InstanceSketches a = new InstanceSketches();
    InstanceSketches b = new InstanceSketches();
    a.policy("sci", 1, 0.2);
    b.policy("sci", 1, 0.2);
    a.policy("sci", 1, 0.2).observe(0.5, 10);
    b.policy("sci", 1, 0.2).observe(0.7, 20);
    b.policy("sci", 1, 0.2).observe(0.1, 5);

    // 2 -> 1: the one instance sees all 35 tokens
    InstanceSketches one = InstanceSketches.restore(snapshot(List.of(a, b)));
    assertThat(one.policy("sci", 1, 0.2).observedTokens()).isEqualTo(35);
    one.policy("sci", 1, 0.2).observe(0.3, 1);

    // 1 -> 2: both instances start from all 36 tokens; nothing doubles on the next restore
    List<FractionSketches.Entry> checkpoint = snapshot(List.of(one));
    InstanceSketches c = InstanceSketches.restore(checkpoint);
    InstanceSketches d = InstanceSketches.restore(checkpoint);
    assertThat(c.policy("sci", 1, 0.2).observedTokens()).isEqualTo(36);
    assertThat(d.policy("sci", 1, 0.2).observedTokens()).isEqualTo(36);
    c.policy("sci", 1, 0.2).observe(0.9, 2);
    d.policy("sci", 1, 0.2).observe(0.9, 3);
    InstanceSketches again = InstanceSketches.restore(snapshot(List.of(c, d)));
    assertThat(again.policy("sci", 1, 0.2).observedTokens()).isEqualTo(41);
  }

  @Test
  void aNewVersionStartsEmptyAndTheLatestVersionWinsOnRestore() {
    InstanceSketches a = new InstanceSketches();
    InstanceSketches b = new InstanceSketches();
    a.policy("sci", 1, 0.2);
    a.policy("sci", 1, 0.2).observe(0.5, 10);
    b.policy("sci", 2, 0.3);
    b.policy("sci", 2, 0.3).observe(0.6, 4);
    assertThat(a.policy("sci", 2, 0.3).observedTokens()).isZero();
    a.policy("sci", 2, 0.3).observe(0.2, 1);
    a.policy("gone", 1, 0.2);
    a.remove("gone");

    InstanceSketches restored = InstanceSketches.restore(snapshot(List.of(a, b)));
    assertThat(restored.policy("sci", 2, 0.3).observedTokens()).isEqualTo(5);
    assertThat(snapshot(List.of(restored))).hasSize(2); // sci's own and restored; no "gone"
  }
}
