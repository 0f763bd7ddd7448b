package io.nagselector.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nagselector.avro.CrawlDocument;
import io.nagselector.io.DocumentValidator;
import java.time.Duration;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.Test;

class ExactDedupeTest {

  private static SourcedDocument doc(String id, String text) {
    return new SourcedDocument(
        CrawlDocument.newBuilder().setId(id).setText(text).build(),
        new RawRecord("crawl", 0, 0, null));
  }

  private static String id(SourcedDocument d) {
    return d.document().getId();
  }

  private static KeyedOneInputStreamOperatorTestHarness<String, SourcedDocument, SourcedDocument>
      harness(boolean emitDuplicates) throws Exception {
    return ProcessFunctionTestHarnesses.forKeyedProcessFunction(
        new ExactDedupe(Duration.ofMillis(100), emitDuplicates),
        d -> DocumentValidator.dedupeKey(d.document().getText()),
        Types.STRING);
  }

  @Test
  void skipsExactDuplicatesWithinTheTtlAndReleasesStateAfterIt() throws Exception {
    try (var h = harness(true)) {
      h.setProcessingTime(0);
      h.processElement(doc("a", "Same text."), 0);
      h.processElement(doc("b", "Same  text. "), 0); // same after normalisation
      h.processElement(doc("c", "Other text."), 0);
      assertThat(h.extractOutputValues()).extracting(ExactDedupeTest::id).containsExactly("a", "c");
      assertThat(h.getSideOutput(ExactDedupe.DUPLICATES))
          .extracting(StreamRecord::getValue)
          .extracting(CrawlDocument::getId)
          .containsExactly("b");
      assertThat(h.numKeyedStateEntries()).isEqualTo(2);
      assertThat(h.numProcessingTimeTimers()).isEqualTo(2);

      h.setProcessingTime(100);
      assertThat(h.numKeyedStateEntries()).isZero();
      assertThat(h.numProcessingTimeTimers()).isZero();
      h.processElement(doc("d", "Same text."), 0);
      assertThat(h.extractOutputValues())
          .extracting(ExactDedupeTest::id)
          .containsExactly("a", "c", "d");
    }
  }

  @Test
  void duplicatesAreOnlyCountedUnlessAskedFor() throws Exception {
    try (var h = harness(false)) {
      h.processElement(doc("a", "x"), 0);
      h.processElement(doc("b", "x"), 0);
      assertThat(h.extractOutputValues()).hasSize(1);
      assertThat(h.getSideOutput(ExactDedupe.DUPLICATES)).isNull();
    }
  }

  @Test
  void rejectsANonPositiveTtl() {
    assertThatThrownBy(() -> new ExactDedupe(Duration.ZERO, false))
        .hasMessage("dedupe.ttl must be positive, got PT0S");
  }
}
