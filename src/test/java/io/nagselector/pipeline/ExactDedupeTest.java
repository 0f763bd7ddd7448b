package io.nagselector.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nagselector.avro.CrawlDocument;
import io.nagselector.avro.DuplicateDocument;
import io.nagselector.avro.DuplicateKind;
import io.nagselector.io.DocumentValidator;
import java.time.Duration;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.StateObject;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
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

  private static KeyedOneInputStreamOperatorTestHarness<Long, SourcedDocument, SourcedDocument>
      harness(Duration ttl, boolean emitDuplicates) throws Exception {
    return ProcessFunctionTestHarnesses.forKeyedProcessFunction(
        new ExactDedupe(ttl, emitDuplicates),
        d -> DocumentValidator.dedupeHash(d.document().getText()),
        Types.LONG);
  }

  @Test
  void skipsExactDuplicatesWithinTheTtlWithoutATimerPerText() throws Exception {
    try (var h = harness(Duration.ofMillis(100), true)) {
      h.setStateTtlProcessingTime(0);
      h.processElement(doc("a", "Same text."), 0);
      h.processElement(doc("b", "Same  text. "), 0); // same after normalisation
      h.processElement(doc("c", "Other text."), 0);
      assertThat(h.extractOutputValues()).extracting(ExactDedupeTest::id).containsExactly("a", "c");
      assertThat(h.getSideOutput(ExactDedupe.DUPLICATES))
          .extracting(StreamRecord::getValue)
          .containsExactly(
              new DuplicateDocument(
                  doc("b", "Same  text. ").document(), DuplicateKind.EXACT, null, 1.0));
      assertThat(h.numKeyedStateEntries()).isEqualTo(2);
      assertThat(h.numProcessingTimeTimers()).isZero();

      // after the TTL the text is forgotten: it passes again, and is remembered anew
      h.setStateTtlProcessingTime(100);
      h.processElement(doc("d", "Same text."), 0);
      h.processElement(doc("e", "Same text."), 0);
      assertThat(h.extractOutputValues())
          .extracting(ExactDedupeTest::id)
          .containsExactly("a", "c", "d");
    }
  }

  @Test
  void duplicatesAreOnlyCountedUnlessAskedFor() throws Exception {
    try (var h = harness(Duration.ofDays(7), false)) {
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

  @Test
  void theLegacyMemoryAnswersForOldTextsAndForgetsThemWhenTheirTimersFire() throws Exception {
    try (var h =
        ProcessFunctionTestHarnesses.forKeyedProcessFunction(
            new LegacyDedupe(true),
            d -> DocumentValidator.dedupeKey(d.document().getText()),
            Types.STRING)) {
      h.setProcessingTime(0);
      h.processElement(doc("new", "a text it never saw"), 0);
      assertThat(h.extractOutputValues()).extracting(ExactDedupeTest::id).containsExactly("new");
      assertThat(h.numKeyedStateEntries()).as("it remembers nothing new").isZero();
      // (an old build's entry, with its timer, comes from a savepoint: SavepointCompatibilityIT)
    }
  }

  /**
   * Live RocksDB bytes per remembered text: 100,000 distinct texts into the operator on RocksDB,
   * then an incremental checkpoint, whose files are the flushed SST files (and a few KB of
   * metadata).
   */
  @Test
  void aRememberedTextCostsAtMostFortyBytesOfRocksDb() throws Exception {
    int texts = 100_000;
    try (var h = harness(Duration.ofDays(7), false)) {
      h.setStateBackend(new EmbeddedRocksDBStateBackend(true));
      h.open();
      for (int i = 0; i < texts; i++) {
        h.processElement(doc("d" + i, "text " + i), 0);
      }
      OperatorSubtaskState snapshot = h.snapshot(1, 0);
      long bytes =
          snapshot.getManagedKeyedState().stream().mapToLong(StateObject::getStateSize).sum();
      double perText = (double) bytes / texts;
      System.out.printf(
          "exact dedupe on RocksDB: %,d bytes for %,d texts, %.1f bytes per text%n",
          bytes, texts, perText);
      assertThat(perText).isLessThanOrEqualTo(40);
    }
  }
}
