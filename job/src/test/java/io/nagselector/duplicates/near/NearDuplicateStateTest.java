package io.nagselector.duplicates.near;

import static org.assertj.core.api.Assertions.assertThat;

import io.nagselector.avro.CrawlDocument;
import io.nagselector.config.NearDuplicateSettings;
import io.nagselector.dedupe.Sketch;
import io.nagselector.duplicates.InTimestampOrder;
import io.nagselector.pipeline.RawRecord;
import io.nagselector.pipeline.SourcedDocument;
import io.nagselector.pipeline.near.BandProbe;
import io.nagselector.pipeline.near.PendingDocument;
import io.nagselector.pipeline.near.Signature;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.StateObject;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.api.operators.co.KeyedCoProcessOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.runtime.watermarkstatus.WatermarkStatus;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.util.Collector;
import org.junit.jupiter.api.Test;

/**
 * What the near-duplicate stage keeps per remembered text on RocksDB: 20 bucket entries (the first
 * text's 64-bit key under the bucket's) and one signature (id, order, 41-byte sketch), measured
 * like the exact dedupe's, as the files of an incremental checkpoint; and the behaviour of the
 * bucket index and the signature store on their own.
 */
class NearDuplicateStateTest {
  private static final Duration TTL = Duration.ofDays(7);

  private static KeyedOneInputStreamOperatorTestHarness<Long, BandProbe, SignatureLookup> buckets()
      throws Exception {
    return buckets(TTL);
  }

  private static KeyedOneInputStreamOperatorTestHarness<Long, BandProbe, SignatureLookup> buckets(
      Duration ttl) throws Exception {
    return new KeyedOneInputStreamOperatorTestHarness<>(
        new BucketIndex(ttl), BandProbe::bucket, Types.LONG);
  }

  private static KeyedTwoInputStreamOperatorTestHarness<
          Long, Signature, SignatureLookup, BandAnswer>
      signatures() throws Exception {
    return new KeyedTwoInputStreamOperatorTestHarness<>(
        new KeyedCoProcessOperator<>(new SignatureStore(TTL)),
        Signature::key,
        SignatureLookup::firstKey,
        Types.LONG);
  }

  private static Signature signature(long key, SplittableRandom rnd) {
    long[] minHashes = new long[160];
    for (int i = 0; i < minHashes.length; i++) {
      minHashes[i] = rnd.nextLong();
    }
    return new Signature(key, "doc-" + key, 1_700_000_000_000L + key, key, Sketch.of(minHashes));
  }

  @Test
  void aRememberedTextCostsItsBucketsAndOneSignature() throws Exception {
    int texts = 5_000;
    SplittableRandom rnd = new SplittableRandom(18);
    long bucketBytes;
    try (var h = buckets()) {
      h.setStateBackend(new EmbeddedRocksDBStateBackend(true));
      h.open();
      for (long t = 1; t <= texts; t++) {
        for (int band = 0; band < 20; band++) {
          h.processElement(new StreamRecord<>(new BandProbe(rnd.nextLong(), t, 0)));
        }
      }
      bucketBytes = size(h.snapshot(1, 0));
    }
    long signatureBytes;
    try (var h = signatures()) {
      h.setStateBackend(new EmbeddedRocksDBStateBackend(true));
      h.open();
      for (long t = 1; t <= texts; t++) {
        h.processElement1(signature(t, rnd), 0);
      }
      signatureBytes = size(h.snapshot(1, 0));
    }
    double perText = (double) (bucketBytes + signatureBytes) / texts;
    System.out.printf(
        "near-duplicate memory on RocksDB: %.1f bytes per text (%.1f for its 20 buckets, %.1f for"
            + " its signature), %,d texts%n",
        perText, (double) bucketBytes / texts, (double) signatureBytes / texts, texts);
    // the floor is 20 x (8-byte key + 8-byte value) + a 41-byte sketch; RocksDB adds its keys'
    // key groups, the TTL's timestamps and its block overhead
    assertThat(perText).isBetween(20.0 * 16 + 41, 600.0);
  }

  private static List<String> answers(
      KeyedTwoInputStreamOperatorTestHarness<Long, Signature, SignatureLookup, BandAnswer> h) {
    return h.extractOutputValues().stream().map(a -> a.key() + " <- " + a.first().key()).toList();
  }

  private static long size(OperatorSubtaskState snapshot) {
    return snapshot.getManagedKeyedState().stream().mapToLong(StateObject::getStateSize).sum();
  }

  @Test
  void aBucketKeepsItsFirstTextAndSendsLaterOnesToItsSignature() throws Exception {
    try (var h = buckets()) {
      h.open();
      h.processElement(new StreamRecord<>(new BandProbe(7, 100, 0)));
      h.processElement(new StreamRecord<>(new BandProbe(7, 200, 0)));
      h.processElement(new StreamRecord<>(new BandProbe(7, 100, 0))); // the first text again
      assertThat(h.extractOutputValues()).containsExactly(new SignatureLookup(100, 200));
    }
  }

  @Test
  void bucketsAndSignaturesAreForgottenAfterTheTtl() throws Exception {
    try (var h = buckets(Duration.ofMillis(100))) {
      h.setStateTtlProcessingTime(0);
      h.open();
      h.processElement(new StreamRecord<>(new BandProbe(7, 100, 0)));
      h.setStateTtlProcessingTime(100);
      h.processElement(
          new StreamRecord<>(new BandProbe(7, 200, 0))); // 100 is forgotten: 200 is first here now
      h.processElement(new StreamRecord<>(new BandProbe(7, 300, 0)));
      assertThat(h.extractOutputValues()).containsExactly(new SignatureLookup(200, 300));
    }
    try (var h =
        new KeyedTwoInputStreamOperatorTestHarness<>(
            new KeyedCoProcessOperator<>(new SignatureStore(Duration.ofMillis(100))),
            Signature::key,
            SignatureLookup::firstKey,
            Types.LONG)) {
      h.setStateTtlProcessingTime(0);
      h.setProcessingTime(0);
      h.open();
      h.processElement1(signature(5, new SplittableRandom(2)), 0);
      h.setStateTtlProcessingTime(100);
      h.processElement2(new SignatureLookup(5, 9), 10);
      assertThat(h.extractOutputValues()).as("5's signature expired: the lookup waits").isEmpty();
      assertThat(h.numEventTimeTimers()).isEqualTo(1);
    }
  }

  /**
   * After a restore from a savepoint (on RocksDB), a bucket's first text is still first until the
   * TTL has passed since it was written, and forgotten from then on.
   */
  @Test
  void aRestoredBucketIsForgottenOnceItsTtlHasPassedSinceItWasWritten() throws Exception {
    Duration ttl = Duration.ofDays(1);
    OperatorSubtaskState savepoint;
    try (var h = buckets(ttl)) {
      h.setStateBackend(new EmbeddedRocksDBStateBackend(true));
      h.setStateTtlProcessingTime(1_000);
      h.open();
      h.processElement(new StreamRecord<>(new BandProbe(7, 100, 0)));
      savepoint = h.snapshot(1, 0);
    }
    long expiry = 1_000 + ttl.toMillis();
    try (var h = buckets(ttl)) {
      h.setStateBackend(new EmbeddedRocksDBStateBackend(true));
      h.initializeState(savepoint);
      h.open();
      h.setStateTtlProcessingTime(expiry - 1);
      h.processElement(
          new StreamRecord<>(new BandProbe(7, 200, 0))); // 100 is still first a millisecond before
      h.setStateTtlProcessingTime(expiry);
      h.processElement(
          new StreamRecord<>(
              new BandProbe(7, 300, 0))); // at its TTL 100 is forgotten: 300 is first
      h.processElement(new StreamRecord<>(new BandProbe(7, 400, 0)));
      assertThat(h.extractOutputValues())
          .containsExactly(new SignatureLookup(100, 200), new SignatureLookup(300, 400));
    }
  }

  @Test
  void aLookupThatOvertakesItsSignatureWaitsForItUntilTheWatermarkPassesTheLookup()
      throws Exception {
    SplittableRandom rnd = new SplittableRandom(1);
    try (var h = signatures()) {
      h.open();
      h.processElement2(new SignatureLookup(5, 9), 10); // 5's signature has not come yet
      h.processElement2(new SignatureLookup(6, 9), 10); // nor 6's, which never will
      assertThat(h.extractOutputValues()).isEmpty();
      h.processElement1(signature(5, rnd), 5);
      assertThat(answers(h)).containsExactly("9 <- 5");
      h.processBothWatermarks(new Watermark(10));
      assertThat(answers(h)).as("6's lookup is dropped unanswered").containsExactly("9 <- 5");
      assertThat(h.numEventTimeTimers()).isZero();
      h.processElement1(signature(6, rnd), 11);
      assertThat(answers(h)).as("and forgotten").containsExactly("9 <- 5");
    }
  }

  @Test
  void aBucketsFirstTextIsTheFirstInTheStreamsOrderHoweverItsProbesArrive() throws Exception {
    try (var h = buckets()) {
      h.open();
      h.processElement(new BandProbe(7, 300, 0), 30);
      h.processElement(new BandProbe(7, 200, 1L << 42), 20); // partition 1
      h.processElement(new BandProbe(7, 100, 5), 20); // partition 0, offset 5: before 200
      assertThat(h.extractOutputValues()).isEmpty();
      h.processWatermark(30);
      assertThat(h.extractOutputStreamRecords())
          .extracting(r -> r.getValue() + " at " + r.getTimestamp())
          .containsExactly(
              new SignatureLookup(100, 200) + " at 20", new SignatureLookup(100, 300) + " at 30");
      h.processElement(new BandProbe(7, 50, 0), 25); // too late to be first: taken as it comes
      assertThat(h.extractOutputValues()).endsWith(new SignatureLookup(100, 50));
      assertThat(h.numEventTimeTimers()).isZero();
    }
  }

  /** An earlier build's bucket index: probes held in map state, with a timer per timestamp. */
  private static final class LegacyBucketIndex
      extends KeyedProcessFunction<Long, BandProbe, SignatureLookup> {
    private transient InTimestampOrder<BandProbe> waiting;

    @Override
    public void open(OpenContext context) {
      waiting = new InTimestampOrder<>(getRuntimeContext().getMapState(BucketIndex.LEGACY_WAITING));
    }

    @Override
    public void processElement(BandProbe probe, Context ctx, Collector<SignatureLookup> out)
        throws Exception {
      waiting.hold(ctx.timestamp(), probe, ctx.timerService());
    }
  }

  @Test
  void probesAnEarlierBuildHeldAreReleasedInOrderWithNewOnes() throws Exception {
    OperatorSubtaskState savepoint;
    try (var h =
        new KeyedOneInputStreamOperatorTestHarness<>(
            new KeyedProcessOperator<>(new LegacyBucketIndex()), BandProbe::bucket, Types.LONG)) {
      h.setStateBackend(new EmbeddedRocksDBStateBackend(true));
      h.open();
      h.processElement(new BandProbe(7, 300, 0), 30);
      h.processElement(new BandProbe(7, 200, 1L << 42), 20);
      h.processElement(new BandProbe(7, 100, 5), 20);
      savepoint = h.snapshot(1, 0);
    }
    try (var h = buckets()) {
      h.setStateBackend(new EmbeddedRocksDBStateBackend(true));
      h.initializeState(savepoint);
      h.open();
      h.processElement(new BandProbe(7, 150, 0), 25);
      h.processWatermark(30);
      assertThat(h.extractOutputStreamRecords())
          .extracting(r -> r.getValue() + " at " + r.getTimestamp())
          .containsExactly(
              new SignatureLookup(100, 200) + " at 20",
              new SignatureLookup(100, 150) + " at 25",
              new SignatureLookup(100, 300) + " at 30");
      assertThat(h.numEventTimeTimers()).isZero();
    }
  }

  private static PendingDocument pending(long key, long time, long sketchSeed) {
    SplittableRandom rnd = new SplittableRandom(sketchSeed);
    long[] minHashes = new long[160];
    for (int i = 0; i < minHashes.length; i++) {
      minHashes[i] = rnd.nextLong();
    }
    String id = "d" + key;
    return new PendingDocument(
        new SourcedDocument(
            CrawlDocument.newBuilder().setId(id).setText("text " + key).build(),
            new RawRecord("crawl", 0, key, null)),
        new Signature(key, id, time, key, Sketch.of(minHashes)));
  }

  private static KeyedTwoInputStreamOperatorTestHarness<
          Long, PendingDocument, BandAnswer, SourcedDocument>
      decision() throws Exception {
    return new KeyedTwoInputStreamOperatorTestHarness<>(
        new NearDuplicateDecision.Operator(new NearDuplicateDecision(0.8, true)),
        d -> d.self().key(),
        BandAnswer::key,
        Types.LONG);
  }

  private static List<String> decided(
      KeyedTwoInputStreamOperatorTestHarness<Long, PendingDocument, BandAnswer, SourcedDocument>
          h) {
    List<String> out = new ArrayList<>();
    h.extractOutputValues().forEach(d -> out.add(d.document().getId() + " kept"));
    var duplicates = h.getSideOutput(NearDuplicateDecision.DUPLICATES);
    if (duplicates == null) {
      return out;
    }
    duplicates.forEach(
        r ->
            out.add(
                r.getValue().getDocument().getId()
                    + " duplicates "
                    + r.getValue().getDuplicateOf()
                    + " at "
                    + r.getValue().getJaccard()));
    return out;
  }

  @Test
  void aDocumentIsDecidedWhenTheWatermarkPassesItWithTheCandidatesItsBandsFound() throws Exception {
    PendingDocument d1 = pending(1, 10, 42);
    PendingDocument d2 = pending(2, 20, 42); // the same sketch as d1
    PendingDocument d3 = pending(3, 20, 43);
    try (var h = decision()) {
      h.open();
      h.processElement1(d1, 10);
      h.processElement2(new BandAnswer(2, d1.self()), 20); // an answer before its document
      h.processElement1(d2, 20);
      h.processElement1(d3, 20);
      h.processBothWatermarks(new Watermark(19));
      assertThat(decided(h)).containsExactly("d1 kept");
      h.processBothWatermarks(new Watermark(20));
      assertThat(decided(h)).containsExactly("d1 kept", "d3 kept", "d2 duplicates d1 at 1.0");
      assertThat(h.numKeyedStateEntries()).isZero();
      assertThat(h.numEventTimeTimers()).isZero();
    }
  }

  /** An earlier build's decision: documents waiting for their bands' answers, with no timer. */
  private static final class LegacyDecision
      extends KeyedCoProcessFunction<Long, PendingDocument, BandAnswer, SourcedDocument> {
    @Override
    public void processElement1(PendingDocument doc, Context ctx, Collector<SourcedDocument> out)
        throws Exception {
      getRuntimeContext().getState(NearDuplicateDecision.PENDING).update(doc);
      getRuntimeContext()
          .getState(new ValueStateDescriptor<>("answers", Types.INT))
          .update(19); // one band still to answer
    }

    @Override
    public void processElement2(BandAnswer answer, Context ctx, Collector<SourcedDocument> out)
        throws Exception {
      getRuntimeContext()
          .getListState(
              new ListStateDescriptor<>("candidates", TypeInformation.of(Signature.class)))
          .add(answer.first());
    }
  }

  @Test
  void documentsAnEarlierBuildLeftWaitingAreDecidedAtTheFirstWatermark() throws Exception {
    PendingDocument d1 = pending(1, 10, 42);
    OperatorSubtaskState savepoint;
    try (var h =
        new KeyedTwoInputStreamOperatorTestHarness<>(
            new KeyedCoProcessOperator<>(new LegacyDecision()),
            (PendingDocument d) -> d.self().key(),
            BandAnswer::key,
            Types.LONG)) {
      h.setStateBackend(new EmbeddedRocksDBStateBackend(true));
      h.open();
      h.processElement1(pending(2, 20, 42), 20);
      h.processElement2(new BandAnswer(2, d1.self()), 20);
      h.processElement1(pending(3, 20, 43), 20);
      savepoint = h.snapshot(1, 0);
    }
    try (var h = decision()) {
      h.setStateBackend(new EmbeddedRocksDBStateBackend(true));
      h.initializeState(savepoint);
      h.open();
      assertThat(h.numEventTimeTimers()).isEqualTo(2);
      h.processBothWatermarks(new Watermark(20));
      assertThat(decided(h)).containsExactlyInAnyOrder("d3 kept", "d2 duplicates d1 at 1.0");
      assertThat(h.numEventTimeTimers()).isZero();
    }
  }

  @Test
  void aLateDocumentIsStampedJustAfterTheWatermarkAndTheStageNeverGoesIdle() throws Exception {
    // when the input goes idle, the watermark moves up by one, past the late document's time
    try (var h =
        new OneInputStreamOperatorTestHarness<>(
            new Fingerprinting(NearDuplicateSettings.defaults()))) {
      h.open();
      h.processElement(pending(1, 0, 1).document(), 150);
      h.processWatermark(100);
      h.processElement(pending(2, 0, 1).document(), 50); // 50 behind the watermark
      h.processWatermarkStatus(WatermarkStatus.IDLE);
      assertThat(h.getSideOutput(Fingerprinting.DOCUMENTS))
          .extracting(r -> r.getValue().document().document().getId() + " at " + r.getTimestamp())
          .containsExactly("d1 at 150", "d2 at 101");
      assertThat(h.getSideOutput(Fingerprinting.SIGNATURES))
          .extracting(r -> r.getValue().time())
          .containsExactly(150L, 101L);
      assertThat(h.extractOutputStreamRecords())
          .hasSize(2 * NearDuplicateSettings.defaults().bands())
          .extracting(StreamRecord::getTimestamp)
          .containsOnly(150L, 101L);
      assertThat(h.getOutput()).noneMatch(WatermarkStatus.class::isInstance);
      assertThat(h.getOutput())
          .filteredOn(Watermark.class::isInstance)
          .extracting(w -> ((Watermark) w).getTimestamp())
          .containsExactly(100L, 101L);
    }
  }
}
