package io.nagselector.control;

import static org.assertj.core.api.Assertions.assertThat;

import io.nagselector.avro.CommandType;
import io.nagselector.avro.ControlEvent;
import io.nagselector.avro.DeadLetter;
import io.nagselector.avro.PolicyKind;
import io.nagselector.avro.TargetCommand;
import io.nagselector.avro.TargetPolicy;
import io.nagselector.ingest.DeadLetters;
import io.nagselector.pipeline.RawRecord;
import io.nagselector.pipeline.TargetDefinition;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

class TargetRegistryTest {
  private static final List<int[]> FEATURES =
      List.of(new int[] {0, 1, 2, 3}, new int[] {4, 5, 6, 7});
  private static final TargetRules.Defaults DEFAULTS =
      new TargetRules.Defaults(
          TargetDefinition.Policy.FRACTION, 0.2, 100, 2, 5, 20, 3, 1000, 500, 100);

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

  /** The registry in a harness that reads its updates in their own format, as the job does. */
  private static KeyedOneInputStreamOperatorTestHarness<String, PreparedCommand, TargetUpdate>
      registry(TargetRules.Defaults defaults) throws Exception {
    var h =
        new KeyedOneInputStreamOperatorTestHarness<>(
            new KeyedProcessOperator<>(new TargetRegistry(defaults)),
            TargetRegistry::key,
            Types.STRING);
    h.setup(TargetUpdate.TYPE.createSerializer(new SerializerConfigImpl()));
    h.open();
    return h;
  }

  private static TargetDefinition target(TargetUpdate update) {
    return ((TargetUpdate.Upsert) update).target();
  }

  private static int version(TargetUpdate update) {
    return update instanceof TargetUpdate.Removal r ? r.version() : target(update).version();
  }

  private static List<String> reasons(
      KeyedOneInputStreamOperatorTestHarness<String, PreparedCommand, TargetUpdate> h) {
    var side = h.getSideOutput(DeadLetters.TAG);
    return side == null
        ? List.of()
        : side.stream().map(StreamRecord::getValue).map(DeadLetter::getMessage).toList();
  }

  @Test
  void versionsUpsertsRemovesAndRejectsWhatCannotApply() throws Exception {
    try (var h = registry(DEFAULTS)) {
      h.processElement(upsert("c1", "sci", null, FEATURES), 0);
      h.processElement(
          upsert("c2", "sci", new TargetPolicy(PolicyKind.THRESHOLD, 0.4), FEATURES), 0);
      h.processElement(
          upsert("c3", "sci", new TargetPolicy(PolicyKind.FRACTION, Double.NaN), FEATURES), 0);
      h.processElement(upsert("c4", "cook", null, List.of()), 0);
      h.processElement(remove("c5", "nothing"), 0);
      h.processElement(remove("c6", "sci"), 0);
      h.processElement(upsert("c7", "sci", null, FEATURES), 0);

      List<TargetUpdate> out = h.extractOutputValues();
      // versions only grow, also across the removal
      assertThat(out).extracting(TargetRegistryTest::version).containsExactly(1, 2, 3, 4);
      assertThat(target(out.get(0)).policy()).isEqualTo(TargetDefinition.Policy.FRACTION);
      assertThat(target(out.get(0)).policyValue()).isEqualTo(0.2);
      assertThat(target(out.get(0)).numLayers()).isEqualTo(2);
      assertThat(target(out.get(1)).policy()).isEqualTo(TargetDefinition.Policy.THRESHOLD);
      assertThat(out.get(2)).isEqualTo(new TargetUpdate.Removal("sci", 3));
      assertThat(reasons(h))
          .containsExactly(
              "command c3 for target sci: policy FRACTION value NaN is out of range (a fraction is in"
                  + " (0, 1])",
              "command c4 for target cook: no examples",
              "command c5 for target nothing: no target named nothing");
      // one key: the registry (sci, cook's and nothing's names are not stored), the count of
      // targets, and the last command ids (ids, order, next number), kept so that a command
      // delivered again has no second effect
      assertThat(h.numKeyedStateEntries()).isEqualTo(5);
      DeadLetter c3 = h.getSideOutput(DeadLetters.TAG).peek().getValue();
      assertThat(c3.getSourceTopic()).isEqualTo("control");
      assertThat(c3.getSourceOffset()).isEqualTo(7L);
      assertThat(c3.getRaw().array()).containsExactly(1);
    }
  }

  @Test
  void refusesANewTargetBeyondTheLimitUntilOneIsRemoved() throws Exception {
    try (var h = registry(DEFAULTS)) {
      h.processElement(upsert("c1", "a", null, FEATURES), 0);
      h.processElement(upsert("c2", "b", null, FEATURES), 0);
      h.processElement(upsert("c3", "c", null, FEATURES), 0);
      h.processElement(command("c4", "c", CommandType.PAUSE), 0); // paused targets count
      h.processElement(upsert("c5", "d", null, FEATURES), 0);
      h.processElement(upsert("c6", "c", null, FEATURES), 0); // replacing one is not a new one
      h.processElement(remove("c7", "a"), 0);
      h.processElement(upsert("c8", "d", null, FEATURES), 0);
      h.processElement(upsert("c9", "e", null, FEATURES), 0);
      assertThat(events(h))
          .containsExactly(
              "c1 APPLIED v1 n2",
              "c2 APPLIED v1 n2",
              "c3 APPLIED v1 n2",
              "c4 APPLIED v1 paused n2",
              "c5 REJECTED TOO_MANY_TARGETS",
              "c6 APPLIED v2 n2",
              "c7 APPLIED v2",
              "c8 APPLIED v1 n2",
              "c9 REJECTED TOO_MANY_TARGETS");
      assertThat(reasons(h))
          .containsExactly(
              "command c5 for target d: 3 targets exist, the most targets.max-targets allows;"
                  + " remove one first",
              "command c9 for target e: 3 targets exist, the most targets.max-targets allows;"
                  + " remove one first");
    }
  }

  @Test
  void rejectsFeaturesOfAnotherModel() throws Exception {
    try (var h = registry(DEFAULTS)) {
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

  private static PreparedCommand command(String id, String target, CommandType type) {
    return command(
        TargetCommand.newBuilder().setCommandId(id).setType(type).setTarget(target), List.of());
  }

  private static PreparedCommand command(TargetCommand.Builder c, List<int[]> features) {
    return new PreparedCommand(c.build(), features, 0, "fp", null);
  }

  private static List<String> events(
      KeyedOneInputStreamOperatorTestHarness<String, PreparedCommand, TargetUpdate> h) {
    return h.getSideOutput(TargetRegistry.EVENTS).stream()
        .map(StreamRecord::getValue)
        .map(
            e ->
                e.getCommandId()
                    + " "
                    + e.getStatus()
                    + " "
                    + (e.getReason() == null ? "v" + e.getVersion() : e.getReason())
                    + (e.getPaused() ? " paused" : "")
                    + (e.getExampleCount() == null ? "" : " n" + e.getExampleCount()))
        .toList();
  }

  @Test
  void addsExamplesPausesResumesAndAnswersEveryCommandOnce() throws Exception {
    try (var h = registry(DEFAULTS)) {
      h.processElement(upsert("c1", "sci", null, FEATURES), 0);
      h.processElement(upsert("c1", "sci", null, FEATURES), 0); // delivered twice: one effect
      h.processElement(
          command(
              TargetCommand.newBuilder()
                  .setCommandId("c2")
                  .setType(CommandType.ADD_EXAMPLES)
                  .setTarget("sci")
                  .setExpectedVersion(1),
              List.of(new int[] {0, 1, 2, 5})),
          0);
      h.processElement(command("c3", "sci", CommandType.PAUSE), 0);
      h.processElement(command("c4", "sci", CommandType.RESUME), 0);
      h.processElement(
          command(
              TargetCommand.newBuilder()
                  .setCommandId("c5")
                  .setType(CommandType.UPSERT)
                  .setTarget("sci")
                  .setExpectedVersion(1),
              FEATURES),
          0);
      h.processElement(
          command(
              TargetCommand.newBuilder()
                  .setCommandId("c6")
                  .setType(CommandType.ADD_EXAMPLES)
                  .setTarget("sci"),
              List.of(new int[] {1, 2, 3, 4}, new int[] {1, 2, 3, 4}, new int[] {1, 2, 3, 4})),
          0);
      h.processElement(
          command(
              TargetCommand.newBuilder()
                  .setCommandId("c7")
                  .setType(CommandType.ADD_EXAMPLES)
                  .setTarget("sci"),
              List.of(new int[] {1, 2, 3})),
          0);
      h.processElement(command("c8", "cook", CommandType.PAUSE), 0);
      h.processElement(command("c9", "bad/name", CommandType.REMOVE), 0);
      h.processElement(command("c10", "sci", CommandType.UNKNOWN), 0);
      h.processElement(
          command(
              TargetCommand.newBuilder()
                  .setCommandId("c11")
                  .setType(CommandType.UPSERT)
                  .setTarget("sci")
                  .setExampleTexts(List.of("short", "twenty-one bytes long")),
              FEATURES),
          0);

      assertThat(events(h))
          .containsExactly(
              "c1 APPLIED v1 n2",
              "c2 APPLIED v2 n3",
              "c3 APPLIED v2 paused n3",
              "c4 APPLIED v2 n3",
              "c5 REJECTED VERSION_CONFLICT",
              "c6 REJECTED TOO_MANY_EXAMPLES",
              "c7 REJECTED FEATURE_SHAPE",
              "c8 REJECTED UNKNOWN_TARGET",
              "c9 REJECTED INVALID_NAME",
              "c10 REJECTED UNKNOWN_COMMAND",
              "c11 REJECTED EXAMPLE_TOO_LARGE");
      List<TargetDefinition> out =
          h.extractOutputValues().stream().map(TargetRegistryTest::target).toList();
      assertThat(out)
          .extracting(TargetDefinition::paused)
          .containsExactly(false, false, true, false);
      assertThat(out.get(1).examples().length).isEqualTo(3);
      assertThat(out.get(1).policyValue()).isEqualTo(0.2); // ADD_EXAMPLES keeps the policy
      ControlEvent first = h.getSideOutput(TargetRegistry.EVENTS).peek().getValue();
      assertThat(first.getProfileFingerprint()).isEqualTo(out.get(0).profile().fingerprint());
      // examples [0,1|2,3] and [4,5|6,7]: every neuron weighs .25, ties by neuron id
      assertThat(first.getSummary())
          .isEqualTo("L0 0:0.250 1:0.250 4:0.250 | L1 2:0.250 3:0.250 6:0.250");
    }
  }

  @Test
  void remembersTheLastMaxCommandIdsOnly() throws Exception {
    TargetRules.Defaults three =
        new TargetRules.Defaults(
            TargetDefinition.Policy.FRACTION, 0.2, 100, 2, 5, 20, 3, 1000, 500, 3);
    try (var h = registry(three)) {
      for (int i = 1; i <= 5; i++) {
        h.processElement(remove("c" + i, "ghost"), 0);
      }
      h.processElement(remove("c5", "ghost"), 0); // among the last 3: a redelivery, ignored
      h.processElement(remove("c3", "ghost"), 0); // the oldest of the last 3: still ignored
      h.processElement(remove("c2", "ghost"), 0); // forgotten: answered again
      assertThat(events(h))
          .containsExactly(
              "c1 REJECTED UNKNOWN_TARGET",
              "c2 REJECTED UNKNOWN_TARGET",
              "c3 REJECTED UNKNOWN_TARGET",
              "c4 REJECTED UNKNOWN_TARGET",
              "c5 REJECTED UNKNOWN_TARGET",
              "c2 REJECTED UNKNOWN_TARGET");
    }
  }

  @Test
  void replayingTheCommandsWithoutStateRebuildsTheSameRegistry() throws Exception {
    List<PreparedCommand> log =
        List.of(
            upsert("c1", "sci", null, FEATURES),
            command(
                TargetCommand.newBuilder()
                    .setCommandId("c2")
                    .setType(CommandType.ADD_EXAMPLES)
                    .setTarget("sci"),
                List.of(new int[] {0, 1, 2, 5})),
            command("c3", "sci", CommandType.REMOVE),
            upsert("c4", "sci", new TargetPolicy(PolicyKind.THRESHOLD, 0.3), FEATURES),
            command("c5", "sci", CommandType.PAUSE));
    List<String> first = new ArrayList<>();
    List<String> again = new ArrayList<>();
    for (List<String> run : List.of(first, again)) {
      try (var h = registry(DEFAULTS)) {
        for (PreparedCommand p : log) {
          h.processElement(p, 0);
        }
        for (PreparedCommand p : log) { // and every command delivered once more
          h.processElement(p, 0);
        }
        run.addAll(events(h));
        h.extractOutputValues()
            .forEach(
                u ->
                    run.add(
                        u instanceof TargetUpdate.Upsert up
                            ? up.target().version()
                                + " "
                                + up.target().policy()
                                + " "
                                + up.target().paused()
                            : version(u) + " removed"));
      }
    }
    assertThat(again).isEqualTo(first);
    assertThat(first)
        .containsExactly(
            "c1 APPLIED v1 n2",
            "c2 APPLIED v2 n3",
            "c3 APPLIED v3",
            "c4 APPLIED v4 n2",
            "c5 APPLIED v4 paused n2",
            "1 FRACTION false",
            "2 FRACTION false",
            "3 removed",
            "4 THRESHOLD false",
            "4 THRESHOLD true");
  }
}
