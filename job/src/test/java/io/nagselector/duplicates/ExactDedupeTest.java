package io.nagselector.duplicates;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nagselector.avro.CrawlDocument;
import io.nagselector.avro.DuplicateDocument;
import io.nagselector.avro.DuplicateKind;
import io.nagselector.io.DocumentValidator;
import io.nagselector.pipeline.RawRecord;
import io.nagselector.pipeline.SourcedDocument;
import java.time.Duration;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.StateObject;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.apache.flink.util.Collector;
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
        new ExactDuplicates(ttl, emitDuplicates),
        d -> DocumentValidator.dedupeHash(d.document().getText()),
        Types.LONG);
  }

  private static SourcedDocument doc(String id, String text, int partition, long offset) {
    return new SourcedDocument(
        CrawlDocument.newBuilder().setId(id).setText(text).build(),
        new RawRecord("crawl", partition, offset, null));
  }

  @Test
  void theFirstCopyInTheStreamsOrderPassesHoweverTheCopiesArrive() throws Exception {
    try (var h = harness(Duration.ofDays(1), true)) {
      h.open();
      h.processElement(doc("late-stamp", "Same text.", 0, 1), 20);
      h.processElement(doc("second-partition", "Same text.", 1, 0), 10);
      h.processElement(doc("first-partition", "Same text.", 0, 7), 10);
      assertThat(h.extractOutputValues()).as("held until the watermark passes it").isEmpty();
      assertThat(h.numKeyedStateEntries()).as("only the earliest copy waits").isEqualTo(1);
      h.processWatermark(10);
      // of one timestamp, partition 0 comes first
      assertThat(h.extractOutputValues())
          .extracting(ExactDedupeTest::id)
          .containsExactly("first-partition");
      h.processWatermark(20);
      assertThat(h.getSideOutput(ExactDuplicates.DUPLICATES))
          .extracting(r -> r.getValue().getDocument().getId())
          .containsExactly("late-stamp", "second-partition"); // each skipped once an earlier came
      // one the watermark has passed cannot be put in order: decided on arrival
      h.processElement(doc("too-late", "Another text.", 0, 2), 15);
      assertThat(h.extractOutputValues())
          .extracting(ExactDedupeTest::id)
          .containsExactly("first-partition", "too-late");
      assertThat(h.numEventTimeTimers()).isZero();
    }
  }

  @Test
  void skipsExactDuplicatesWithinTheTtlWithoutATimerPerText() throws Exception {
    try (var h = harness(Duration.ofMillis(100), true)) {
      h.setStateTtlProcessingTime(0);
      h.processElement(new StreamRecord<>(doc("a", "Same text.")));
      h.processElement(new StreamRecord<>(doc("b", "Same  text. "))); // same after normalisation
      h.processElement(new StreamRecord<>(doc("c", "Other text.")));
      assertThat(h.extractOutputValues()).extracting(ExactDedupeTest::id).containsExactly("a", "c");
      assertThat(h.getSideOutput(ExactDuplicates.DUPLICATES))
          .extracting(StreamRecord::getValue)
          .containsExactly(
              new DuplicateDocument(
                  doc("b", "Same  text. ").document(), DuplicateKind.EXACT, null, 1.0));
      assertThat(h.numKeyedStateEntries()).isEqualTo(2);
      assertThat(h.numProcessingTimeTimers()).isZero();

      // after the TTL the text is forgotten: it passes again, and is remembered anew
      h.setStateTtlProcessingTime(100);
      h.processElement(new StreamRecord<>(doc("d", "Same text.")));
      h.processElement(new StreamRecord<>(doc("e", "Same text.")));
      assertThat(h.extractOutputValues())
          .extracting(ExactDedupeTest::id)
          .containsExactly("a", "c", "d");
    }
  }

  /**
   * A restored memory keeps each entry's write time: after a restore from a savepoint (on RocksDB,
   * as the job runs), a text is a duplicate until its TTL has passed since it was first seen, and
   * forgotten from then on, however long the savepoint lay before the restore.
   */
  @Test
  void aRestoredTextIsForgottenOnceItsTtlHasPassedSinceItWasWritten() throws Exception {
    Duration ttl = Duration.ofDays(1);
    OperatorSubtaskState savepoint;
    try (var h = unopened(ttl)) {
      h.setStateTtlProcessingTime(1_000);
      h.open();
      h.processElement(new StreamRecord<>(doc("a", "Same text.")));
      savepoint = h.snapshot(1, 0);
    }
    long expiry = 1_000 + ttl.toMillis();
    try (var h = unopened(ttl)) {
      h.initializeState(savepoint);
      h.open();
      h.setStateTtlProcessingTime(expiry - 1);
      h.processElement(
          new StreamRecord<>(doc("b", "Same text."))); // a millisecond before: still a duplicate
      h.setStateTtlProcessingTime(expiry);
      h.processElement(new StreamRecord<>(doc("c", "Same text."))); // at its TTL: forgotten, passes
      h.processElement(new StreamRecord<>(doc("d", "Same text."))); // and is remembered anew
      assertThat(h.extractOutputValues()).extracting(ExactDedupeTest::id).containsExactly("c");
      assertThat(h.getSideOutput(ExactDuplicates.DUPLICATES))
          .extracting(r -> r.getValue().getDocument().getId().toString())
          .containsExactly("b", "d");
    }
  }

  /** A harness of the dedupe on RocksDB, to be opened (after a restore). */
  private static KeyedOneInputStreamOperatorTestHarness<Long, SourcedDocument, SourcedDocument>
      unopened(Duration ttl) throws Exception {
    var h =
        new KeyedOneInputStreamOperatorTestHarness<>(
            new KeyedProcessOperator<>(new ExactDuplicates(ttl, true)),
            (SourcedDocument d) -> DocumentValidator.dedupeHash(d.document().getText()),
            Types.LONG);
    h.setStateBackend(new EmbeddedRocksDBStateBackend(true));
    return h;
  }

  @Test
  void duplicatesAreOnlyCountedUnlessAskedFor() throws Exception {
    try (var h = harness(Duration.ofDays(7), false)) {
      h.processElement(new StreamRecord<>(doc("a", "x")));
      h.processElement(new StreamRecord<>(doc("b", "x")));
      assertThat(h.extractOutputValues()).hasSize(1);
      assertThat(h.getSideOutput(ExactDuplicates.DUPLICATES)).isNull();
    }
  }

  @Test
  void rejectsANonPositiveTtl() {
    assertThatThrownBy(() -> new ExactDuplicates(Duration.ZERO, false))
        .hasMessage("dedupe.ttl must be positive, got PT0S");
  }

  @Test
  void theLegacyMemoryRemembersNothingNew() throws Exception {
    try (var h = legacy(Duration.ofDays(7), null)) {
      h.setProcessingTime(0);
      h.processElement(new StreamRecord<>(doc("new", "a text it never saw")));
      assertThat(h.extractOutputValues()).extracting(ExactDedupeTest::id).containsExactly("new");
      assertThat(h.numKeyedStateEntries()).as("it remembers nothing new").isZero();
    }
  }

  /**
   * A memory as builds before 0.2 wrote it (first seen at 1,000 ms, a timer at first seen + their 7
   * days), restored: a text is remembered until the configured TTL has passed since it was first
   * seen, beyond the old timer when the TTL is longer, and no longer when it is shorter; then its
   * entry and timer are gone. (An old build's savepoint: SavepointCompatibilityIT, fixture v1.)
   */
  @Test
  void theLegacyMemoryForgetsATextOnceTheConfiguredTtlHasPassedSinceItWasFirstSeen()
      throws Exception {
    long firstSeen = 1_000;
    long oldTimer = firstSeen + Duration.ofDays(7).toMillis();
    OperatorSubtaskState before = oldBuildsMemory("Same text.", firstSeen, oldTimer);
    long longer = firstSeen + Duration.ofDays(30).toMillis();
    try (var h = legacy(Duration.ofDays(30), before)) {
      h.setProcessingTime(oldTimer); // the old timer fires: within 30 days, kept
      h.processElement(new StreamRecord<>(doc("a", "Same text.")));
      h.setProcessingTime(longer - 1);
      h.processElement(new StreamRecord<>(doc("b", "Same text.")));
      h.setProcessingTime(longer); // 30 days since first seen: forgotten, entry and timer gone
      h.processElement(new StreamRecord<>(doc("c", "Same text.")));
      assertThat(h.extractOutputValues()).extracting(ExactDedupeTest::id).containsExactly("c");
      assertThat(h.numKeyedStateEntries()).isZero();
      assertThat(h.numProcessingTimeTimers()).isZero();
    }
    long shorter = firstSeen + Duration.ofDays(1).toMillis();
    try (var h = legacy(Duration.ofDays(1), before)) {
      h.setProcessingTime(shorter - 1);
      h.processElement(new StreamRecord<>(doc("a", "Same text.")));
      h.setProcessingTime(shorter); // a day since first seen: forgotten before the old timer fires
      h.processElement(new StreamRecord<>(doc("b", "Same text.")));
      assertThat(h.extractOutputValues()).extracting(ExactDedupeTest::id).containsExactly("b");
      h.setProcessingTime(oldTimer);
      assertThat(h.numKeyedStateEntries()).isZero();
      assertThat(h.numProcessingTimeTimers()).isZero();
    }
  }

  private static KeyedOneInputStreamOperatorTestHarness<String, SourcedDocument, SourcedDocument>
      legacy(Duration ttl, OperatorSubtaskState restored) throws Exception {
    var h =
        new KeyedOneInputStreamOperatorTestHarness<>(
            new KeyedProcessOperator<>(new LegacyDedupe(ttl, false)),
            (SourcedDocument d) -> DocumentValidator.dedupeKey(d.document().getText()),
            Types.STRING);
    if (restored != null) {
      h.initializeState(restored);
    }
    h.open();
    return h;
  }

  /** The state a build before 0.2 kept for one text: when it was first seen, and its timer. */
  private static OperatorSubtaskState oldBuildsMemory(String text, long firstSeen, long timer)
      throws Exception {
    KeyedProcessFunction<String, SourcedDocument, SourcedDocument> oldBuild =
        new KeyedProcessFunction<>() {
          @Override
          public void processElement(
              SourcedDocument doc, Context ctx, Collector<SourcedDocument> out) throws Exception {
            getRuntimeContext()
                .getState(new ValueStateDescriptor<>("first-seen", Long.class))
                .update(firstSeen);
            ctx.timerService().registerProcessingTimeTimer(timer);
          }
        };
    try (var h =
        new KeyedOneInputStreamOperatorTestHarness<>(
            new KeyedProcessOperator<>(oldBuild),
            (SourcedDocument d) -> DocumentValidator.dedupeKey(d.document().getText()),
            Types.STRING)) {
      h.open();
      h.processElement(new StreamRecord<>(doc("old", text)));
      return h.snapshot(1, 0);
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
        h.processElement(new StreamRecord<>(doc("d" + i, "text " + i)));
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
