package io.nagselector.batch;

import static org.assertj.core.api.Assertions.assertThat;

import io.nagselector.avro.TargetState;
import io.nagselector.control.TargetRegistry;
import io.nagselector.nag.TargetProfile;
import io.nagselector.pipeline.TargetDefinition;
import java.time.Instant;
import java.util.List;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.Test;

class BackfillSelectionTest {
  private static BackfillSelection.Scored doc(String id, int tokens, double similarity) {
    return new BackfillSelection.Scored(id, null, tokens, similarity, new double[] {similarity});
  }

  private static BackfillSelection pool() {
    BackfillSelection all = new BackfillSelection();
    all.add(doc("d", 20, 0.1));
    all.add(doc("c", 10, 0.5));
    all.add(doc("a", 10, 0.9));
    all.add(doc("b", 10, 0.5)); // ties with c: b first, by id
    return all;
  }

  private static List<String> ids(List<BackfillSelection.Scored> docs) {
    return docs.stream().map(BackfillSelection.Scored::id).toList();
  }

  @Test
  void fractionKeepsTheBestWithinTheTokenBudget() {
    BackfillSelection all = pool();
    assertThat(all.totalTokens()).isEqualTo(50);
    // budget int(50 * 0.5) = 25: a (10), b (20); c would make 30
    assertThat(ids(all.select(TargetDefinition.Policy.FRACTION, 0.5))).containsExactly("a", "b");
    // budget 5: even the best exceeds it, so the best alone
    assertThat(ids(all.select(TargetDefinition.Policy.FRACTION, 0.1))).containsExactly("a");
    assertThat(ids(all.select(TargetDefinition.Policy.FRACTION, 1.0)))
        .containsExactly("a", "b", "c", "d");
  }

  @Test
  void thresholdKeepsEveryDocumentAtOrAboveIt() {
    BackfillSelection all = pool();
    assertThat(ids(all.select(TargetDefinition.Policy.THRESHOLD, 0.5)))
        .containsExactly("a", "b", "c");
    assertThat(all.select(TargetDefinition.Policy.THRESHOLD, 0.95)).isEmpty();
  }

  @Test
  void aRepeatedIdIsCountedNotAdded() {
    BackfillSelection all = pool();
    assertThat(all.add(doc("a", 99, 1.0))).isFalse();
    assertThat(all.duplicates()).isEqualTo(1);
    assertThat(all.size()).isEqualTo(4);
    assertThat(ids(all.best(2))).containsExactly("a", "b");
    assertThat(new BackfillSelection().select(TargetDefinition.Policy.FRACTION, 0.5)).isEmpty();
  }

  @Test
  void theTargetsTopicRecordRebuildsTheRegistrysProfile() {
    TargetDefinition def =
        new TargetDefinition(
            "sci",
            3,
            "fp",
            TargetDefinition.Policy.FRACTION,
            0.2,
            10,
            2,
            2,
            List.of(new int[] {0, 7, 3, 1}, new int[] {7, 2, 3, 9}, new int[] {7, 0, 1, 3}));
    TargetState state = TargetRegistry.state(def, Instant.EPOCH);
    // layer 0: 0 x2, 7 x3, 2 x1; layer 1: 3 x3, 1 x2, 9 x1
    assertThat(state.getNeuronCounts())
        .extracting(c -> c.getLayer() + ":" + c.getNeuron() + "=" + c.getCount())
        .containsExactly("0:0=2", "0:2=1", "0:7=3", "1:1=2", "1:3=3", "1:9=1");
    TargetProfile rebuilt = TargetRegistry.profile(state);
    TargetProfile original = def.profile();
    assertThat(rebuilt.fingerprint()).isEqualTo(original.fingerprint());
    assertThat(rebuilt.weight(0, 7)).isEqualTo(0.5);
    assertThat(rebuilt.weight(1, 9)).isEqualTo(1.0 / 6);
    assertThat(rebuilt.exampleCount()).isEqualTo(3);
    assertThat(state.getModelFingerprint()).isEqualTo("fp");
    state.getNeuronCounts().get(0).setCount(1); // a record that does not match its fingerprint
    Assertions.assertThatThrownBy(() -> TargetRegistry.profile(state))
        .hasMessageContaining("target sci: the neuron counts give profile");
  }
}
