package io.nagselector.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.nagselector.avro.CommandType;
import io.nagselector.avro.DeadLetter;
import io.nagselector.avro.PolicyKind;
import io.nagselector.avro.TargetCommand;
import io.nagselector.avro.TargetPolicy;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.Test;

class TargetRegistryTest {
  private static final List<int[]> FEATURES =
      List.of(new int[] {0, 1, 2, 3}, new int[] {4, 5, 6, 7});
  private static final TargetRegistry.Defaults DEFAULTS =
      new TargetRegistry.Defaults(TargetDefinition.Policy.FRACTION, 0.2, 100, 2);

  private static PreparedCommand upsert(
      String id, String target, TargetPolicy policy, List<int[]> features) {
    TargetCommand c =
        TargetCommand.newBuilder()
            .setCommandId(id)
            .setType(CommandType.UPSERT)
            .setTarget(target)
            .setExampleTexts(List.of("a", "b"))
            .setPolicy(policy)
            .build();
    return new PreparedCommand(
        c, features, 0, "fp", new RawRecord("control", 0, 7, new byte[] {1}));
  }

  private static PreparedCommand remove(String id, String target) {
    return new PreparedCommand(
        TargetCommand.newBuilder()
            .setCommandId(id)
            .setType(CommandType.REMOVE)
            .setTarget(target)
            .build(),
        List.of(),
        0,
        "fp",
        null);
  }

  private static List<String> reasons(
      org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness<
              String, PreparedCommand, TargetDefinition>
          h) {
    var side = h.getSideOutput(DeadLetters.TAG);
    return side == null
        ? List.of()
        : side.stream().map(StreamRecord::getValue).map(DeadLetter::getMessage).toList();
  }

  @Test
  void versionsUpsertsRemovesAndRejectsWhatCannotApply() throws Exception {
    try (var h =
        ProcessFunctionTestHarnesses.forKeyedProcessFunction(
            new TargetRegistry(DEFAULTS), p -> p.command().getTarget(), Types.STRING)) {
      h.processElement(upsert("c1", "sci", null, FEATURES), 0);
      h.processElement(
          upsert("c2", "sci", new TargetPolicy(PolicyKind.THRESHOLD, 0.4), FEATURES), 0);
      h.processElement(
          upsert("c3", "sci", new TargetPolicy(PolicyKind.FRACTION, Double.NaN), FEATURES), 0);
      h.processElement(upsert("c4", "cook", null, List.of()), 0);
      h.processElement(remove("c5", "nothing"), 0);
      h.processElement(remove("c6", "sci"), 0);
      h.processElement(upsert("c7", "sci", null, FEATURES), 0);

      List<TargetDefinition> out = h.extractOutputValues();
      assertThat(out).extracting(TargetDefinition::version).containsExactly(1, 2, 3, 1);
      assertThat(out.get(0).policy()).isEqualTo(TargetDefinition.Policy.FRACTION);
      assertThat(out.get(0).policyValue()).isEqualTo(0.2);
      assertThat(out.get(0).numLayers()).isEqualTo(2);
      assertThat(out.get(1).policy()).isEqualTo(TargetDefinition.Policy.THRESHOLD);
      assertThat(out.get(2).examples()).isEmpty(); // the removal
      assertThat(reasons(h))
          .containsExactly(
              "command c3 for target sci: policy FRACTION value NaN is out of range",
              "command c4 for target cook: no examples",
              "command c5 for target nothing: unknown target");
      assertThat(h.numKeyedStateEntries()).isEqualTo(1); // sci again, after its removal was cleared
      DeadLetter c3 = h.getSideOutput(DeadLetters.TAG).peek().getValue();
      assertThat(c3.getSourceTopic()).isEqualTo("control");
      assertThat(c3.getSourceOffset()).isEqualTo(7L);
      assertThat(c3.getRaw().array()).containsExactly(1);
    }
  }

  @Test
  void rejectsFeaturesOfAnotherModel() throws Exception {
    try (var h =
        ProcessFunctionTestHarnesses.forKeyedProcessFunction(
            new TargetRegistry(DEFAULTS), p -> p.command().getTarget(), Types.STRING)) {
      TargetCommand c =
          TargetCommand.newBuilder()
              .setCommandId("c1")
              .setType(CommandType.UPSERT)
              .setTarget("sci")
              .setExampleFeatures(List.of(List.of(0, 1, 2, 3)))
              .setFeaturesFingerprint("other-model")
              .build();
      h.processElement(new PreparedCommand(c, FEATURES, 0, "fp", null), 0);
      assertThat(h.extractOutputValues()).isEmpty();
      assertThat(reasons(h))
          .containsExactly(
              "command c1 for target sci: example features were made with model other-model, the job extracts with fp");
    }
  }
}
