package io.nagselector.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.nagselector.avro.CommandType;
import io.nagselector.avro.CrawlDocument;
import io.nagselector.avro.DeadLetter;
import io.nagselector.avro.DeadLetterReason;
import io.nagselector.avro.PolicyKind;
import io.nagselector.avro.RejectReason;
import io.nagselector.avro.TargetCommand;
import io.nagselector.avro.TargetPolicy;
import io.nagselector.control.DecodeCommand;
import io.nagselector.control.PrepareCommand;
import io.nagselector.control.PreparedCommand;
import io.nagselector.control.TargetRules;
import io.nagselector.duplicates.ExactDuplicates;
import io.nagselector.ingest.DeadLetters;
import io.nagselector.io.DocumentValidator;
import io.nagselector.model.NeuronType;
import io.nagselector.pipeline.RawRecord;
import io.nagselector.pipeline.SourcedDocument;
import io.nagselector.pipeline.TargetDefinition;
import io.nagselector.pipeline.TargetProtocol;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.stream.Stream;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Hostile control commands, each refused by the registry's protocol with its reason (README:
 * "Hostile input"), and bursts of duplicates through the dedupe operator.
 */
class HostileCommandsAndBurstsTest {
  /** K = 2: features have 2 × layers indices. config/local.yaml's limits otherwise. */
  private static final TargetRules.Defaults LIMITS =
      new TargetRules.Defaults(
          TargetDefinition.Policy.FRACTION,
          0.2,
          100,
          2,
          10_000,
          100_000,
          100,
          8 << 20,
          10_000,
          100_000);

  private static final List<int[]> FEATURES = List.of(new int[] {1, 2, 3, 4});

  private static TargetCommand.Builder upsert(String target) {
    return TargetCommand.newBuilder()
        .setCommandId("c")
        .setType(CommandType.UPSERT)
        .setTarget(target)
        .setExampleTexts(List.of("a science question"));
  }

  private static List<List<Integer>> features(int... indices) {
    List<Integer> f = new ArrayList<>();
    for (int i : indices) {
      f.add(i);
    }
    return List.of(f);
  }

  private static TargetCommand.Builder featuresOf() {
    return upsert("f").setExampleTexts(List.of()).setFeaturesFingerprint("fp");
  }

  static Stream<Arguments> commands() {
    return Stream.of(
        Arguments.of(
            "a NaN fraction",
            upsert("t").setPolicy(new TargetPolicy(PolicyKind.FRACTION, Double.NaN)),
            FEATURES,
            RejectReason.INVALID_POLICY),
        Arguments.of(
            "an infinite threshold",
            upsert("t").setPolicy(new TargetPolicy(PolicyKind.THRESHOLD, Double.POSITIVE_INFINITY)),
            FEATURES,
            RejectReason.INVALID_POLICY),
        Arguments.of(
            "a top-k of two billion",
            upsert("t").setTopK(2_000_000_000),
            FEATURES,
            RejectReason.INVALID_TOP_K),
        Arguments.of(
            "a negative top-k", upsert("t").setTopK(-5), FEATURES, RejectReason.INVALID_TOP_K),
        Arguments.of(
            "100,000 examples",
            upsert("t").setExampleTexts(Collections.nCopies(100_000, "q")),
            List.of(),
            RejectReason.TOO_MANY_EXAMPLES),
        Arguments.of(
            "a negative neuron index",
            featuresOf().setExampleFeatures(features(1, -3, 3, 4)),
            List.of(new int[] {1, -3, 3, 4}),
            RejectReason.FEATURE_SHAPE),
        Arguments.of(
            "a neuron index of 2^30",
            featuresOf().setExampleFeatures(features(1, 1 << 30, 3, 4)),
            List.of(new int[] {1, 1 << 30, 3, 4}),
            RejectReason.FEATURE_SHAPE),
        Arguments.of(
            "a feature of the wrong length",
            featuresOf().setExampleFeatures(features(1, 2, 3)),
            List.of(new int[] {1, 2, 3}),
            RejectReason.FEATURE_SHAPE),
        Arguments.of(
            "features of another model",
            featuresOf()
                .setFeaturesFingerprint("another-model")
                .setExampleFeatures(features(1, 2, 3, 4)),
            FEATURES,
            RejectReason.MODEL_MISMATCH),
        Arguments.of(
            "a name with path characters",
            upsert("../../etc/passwd"),
            FEATURES,
            RejectReason.INVALID_NAME),
        Arguments.of("an empty name", upsert(""), FEATURES, RejectReason.INVALID_NAME),
        Arguments.of(
            "an example text of 1 MB",
            upsert("t").setExampleTexts(List.of("x".repeat(1 << 20))),
            List.of(),
            RejectReason.EXAMPLE_TOO_LARGE),
        Arguments.of(
            "examples that all tokenise to nothing",
            upsert("t").setExampleTexts(List.of("\u200B", "\u0301")),
            List.of(),
            RejectReason.ALL_EXAMPLES_EMPTY));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("commands")
  void eachCommandIsRefusedWithItsReason(
      String kind, TargetCommand.Builder command, List<int[]> extracted, RejectReason expected) {
    TargetCommand c = command.build();
    int failed = extracted.isEmpty() ? c.getExampleTexts().size() : 0;
    PreparedCommand prepared = new PreparedCommand(c, extracted, failed, "fp", null);
    TargetRules.Outcome outcome =
        new TargetRules(LIMITS).apply(TargetProtocol.State.NONE, prepared, 0);
    assertThat(outcome).as(kind).isInstanceOf(TargetRules.Rejected.class);
    assertThat(((TargetRules.Rejected) outcome).reason()).as(kind).isEqualTo(expected);
  }

  @Test
  void aCommandOverTheLimitsCostsNoInference() {
    PrepareCommand prepare = new PrepareCommand(null, NeuronType.FWD_UP, LIMITS);
    assertThat(
            prepare.overLimits(
                upsert("t").setExampleTexts(Collections.nCopies(100_000, "q")).build()))
        .isTrue();
    assertThat(
            prepare.overLimits(upsert("t").setExampleTexts(List.of("x".repeat(200_000))).build()))
        .isTrue();
    assertThat(prepare.overLimits(upsert("t").build())).isFalse();
  }

  @Test
  void exampleSizeIsCountedInUtf8BytesBeforeAnyInference() {
    // 40,000 characters of CJK: 120,000 UTF-8 bytes, over targets.max-example-bytes (100,000)
    TargetCommand cjk = upsert("t").setExampleTexts(List.of("\u6587".repeat(40_000))).build();
    PrepareCommand prepare = new PrepareCommand(null, NeuronType.FWD_UP, LIMITS);
    assertThat(prepare.overLimits(cjk)).as("refused before extraction").isTrue();
    TargetRules.Outcome outcome =
        new TargetRules(LIMITS)
            .apply(
                TargetProtocol.State.NONE, new PreparedCommand(cjk, List.of(), 0, "fp", null), 0);
    assertThat(outcome)
        .isEqualTo(
            new TargetRules.Rejected(
                RejectReason.EXAMPLE_TOO_LARGE,
                "an example text of 120000 bytes, more than targets.max-example-bytes 100000"));
  }

  @Test
  void anOversizedOrUndecodableControlRecordIsDeadLettered() throws Exception {
    try (var h = ProcessFunctionTestHarnesses.forProcessFunction(new DecodeCommand(1 << 20))) {
      h.processElement(new RawRecord("control", 0, 1, new byte[(1 << 20) + 1]), 0);
      h.processElement(
          new RawRecord("control", 0, 2, "{\"type\":\"UPSERT\"}".getBytes(StandardCharsets.UTF_8)),
          0);
      assertThat(h.extractOutputValues()).isEmpty();
      List<DeadLetter> dead =
          h.getSideOutput(DeadLetters.TAG).stream().map(StreamRecord::getValue).toList();
      assertThat(dead)
          .extracting(DeadLetter::getReason)
          .containsExactly(DeadLetterReason.INVALID_COMMAND, DeadLetterReason.DECODE_ERROR);
      assertThat(dead.get(0).getMessage())
          .isEqualTo(
              "a control record of 1048577 bytes, more than targets.max-command-bytes 1048576");
      assertThat(dead.get(0).getRaw()).isNull();
      assertThat(dead.get(1).getRaw()).isNotNull();
    }
  }

  private static SourcedDocument doc(String id, String text) {
    return new SourcedDocument(
        CrawlDocument.newBuilder().setId(id).setText(text).build(),
        new RawRecord("crawl", 0, 0, null));
  }

  @Test
  void duplicatesByIdAndByTextAndAMillionDocumentBurst() throws Exception {
    try (var h =
        ProcessFunctionTestHarnesses.forKeyedProcessFunction(
            new ExactDuplicates(Duration.ofDays(7), false),
            d -> DocumentValidator.dedupeHash(d.document().getText()),
            Types.LONG)) {
      // the same id with different texts: two documents (dedupe is by text; ids are not trusted)
      h.processElement(doc("same-id", "First text."), 0);
      h.processElement(doc("same-id", "Second text."), 0);
      // the same text under other ids: the first only
      h.processElement(doc("a", "Shared text."), 0);
      h.processElement(doc("b", "Shared text."), 0);
      // a burst of a million copies of one page
      for (int i = 0; i < 1_000_000; i++) {
        h.processElement(doc("burst-" + i, "Buy now! Limited offer."), 0);
      }
      h.processWatermark(0);
      assertThat(h.extractOutputValues())
          .extracting(d -> d.document().getId())
          .containsExactlyInAnyOrder("same-id", "same-id", "a", "burst-0");
      assertThat(h.numKeyedStateEntries()).as("one entry per distinct text").isEqualTo(4);
    }
  }
}
