package io.nagselector.extract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nagselector.avro.CrawlDocument;
import io.nagselector.avro.DeadLetter;
import io.nagselector.avro.DeadLetterReason;
import io.nagselector.model.ExtractionResult;
import io.nagselector.model.NeuronType;
import io.nagselector.pipeline.ExtractedDocument;
import io.nagselector.pipeline.RawRecord;
import io.nagselector.pipeline.SourcedDocument;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeHint;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.datastream.AsyncDataStream;
import org.apache.flink.streaming.api.operators.async.AsyncWaitOperatorFactory;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.types.Either;
import org.junit.jupiter.api.Test;

/** The async operator with a fake extractor: features, failures and timeouts all come out. */
public class AsyncExtractionTest {

  public static final AtomicInteger FLAKY_CALLS = new AtomicInteger();
  public static final AtomicInteger BOOM_CALLS = new AtomicInteger();

  /** Answers by document id; "hang" never completes, "flaky" fails only its first call. */
  public static final class FakeExtractor implements FeatureExtractor {
    @Override
    public CompletableFuture<ExtractionResult> extract(String docId, String text) {
      return switch (docId) {
        case "hang" -> new CompletableFuture<>();
        case "flaky" ->
            FLAKY_CALLS.incrementAndGet() == 1
                ? CompletableFuture.failedFuture(new IllegalStateException("transient"))
                : CompletableFuture.completedFuture(
                    new ExtractionResult.Features(
                        docId, Map.of(NeuronType.FWD_UP, new int[] {9}), 1));
        case "boom" -> {
          BOOM_CALLS.incrementAndGet();
          yield CompletableFuture.failedFuture(new IllegalStateException("CUDA out of memory"));
        }
        case "empty" ->
            CompletableFuture.completedFuture(
                new ExtractionResult.Failure(
                    docId, ExtractionResult.Reason.EMPTY_AFTER_TOKENIZATION, "no tokens"));
        default ->
            CompletableFuture.completedFuture(
                new ExtractionResult.Features(
                    docId, Map.of(NeuronType.FWD_UP, new int[] {3, 1}), 7));
      };
    }

    @Override
    public String fingerprint() {
      return "fake";
    }

    @Override
    public void close() {}
  }

  /** A document read from crawl partition 1 at offset 100 + its id's length. */
  private static SourcedDocument doc(String id) {
    return new SourcedDocument(
        CrawlDocument.newBuilder().setId(id).setText("text of " + id).build(),
        new RawRecord("crawl", 1, 100 + id.length(), null));
  }

  /** The extraction in Flink's async operator, unordered, 10 in flight, opened. */
  private static OneInputStreamOperatorTestHarness<
          SourcedDocument, Either<DeadLetter, ExtractedDocument>>
      opened(AsyncExtraction extraction, long timeoutMillis) throws Exception {
    var harness =
        new OneInputStreamOperatorTestHarness<>(
            new AsyncWaitOperatorFactory<SourcedDocument, Either<DeadLetter, ExtractedDocument>>(
                extraction, timeoutMillis, 10, AsyncDataStream.OutputMode.UNORDERED),
            TypeInformation.of(SourcedDocument.class).createSerializer(new SerializerConfigImpl()));
    harness.setup(
        TypeInformation.of(new TypeHint<Either<DeadLetter, ExtractedDocument>>() {})
            .createSerializer(new SerializerConfigImpl()));
    harness.open();
    return harness;
  }

  @Test
  void emitsFeaturesAndTurnsFailuresAndTimeoutsIntoDeadLetters() throws Exception {
    try (var harness =
        opened(new AsyncExtraction(FakeExtractor::new, NeuronType.FWD_UP, 1, Duration.ZERO), 50)) {
      harness.setProcessingTime(0);
      for (String id : List.of("ok", "boom", "empty", "hang")) {
        harness.processElement(new StreamRecord<>(doc(id), 0));
      }
      harness.setProcessingTime(100);
      harness.endInput();
      Map<String, ExtractedDocument> extracted = new HashMap<>();
      Map<String, DeadLetter> dead = new HashMap<>();
      for (Object o : harness.getOutput()) {
        if (o instanceof StreamRecord<?> r) {
          @SuppressWarnings("unchecked")
          Either<DeadLetter, ExtractedDocument> e =
              (Either<DeadLetter, ExtractedDocument>) r.getValue();
          if (e.isLeft()) {
            dead.put(e.left().getDocId(), e.left());
          } else {
            extracted.put(e.right().document().getId(), e.right());
          }
        }
      }
      assertThat(extracted).containsOnlyKeys("ok");
      assertThat(dead).containsOnlyKeys("boom", "empty", "hang");
      assertThat(extracted.get("ok").feature()).containsExactly(3, 1);
      assertThat(extracted.get("ok").tokens()).isEqualTo(7);
      assertThat(dead.get("boom").getReason()).isEqualTo(DeadLetterReason.EXTRACTION_FAILED);
      assertThat(dead.get("boom").getMessage()).contains("CUDA out of memory");
      assertThat(dead.get("empty").getReason())
          .isEqualTo(DeadLetterReason.EMPTY_AFTER_TOKENIZATION);
      assertThat(dead.get("hang").getReason()).isEqualTo(DeadLetterReason.EXTRACTION_TIMEOUT);
      // each dead letter points at the record it came from
      for (String id : List.of("boom", "empty", "hang")) {
        DeadLetter d = dead.get(id);
        assertThat(List.of(d.getSourceTopic(), d.getSourcePartition(), d.getSourceOffset()))
            .as(id)
            .containsExactly("crawl", 1, 100L + id.length());
        assertThat(d.getRaw()).isNull();
      }
    }
  }

  @Test
  void theWaitBetweenAttemptsDoublesUpToEightTimesTheBackoff() {
    assertThat(
            List.of(1, 2, 3, 4, 5).stream()
                .map(n -> AsyncExtraction.backoffMillis(Duration.ofMillis(200), n))
                .toList())
        .containsExactly(200L, 400L, 800L, 1600L, 1600L);
  }

  @Test
  void aJobCannotAskForFewerThanOneAttempt() {
    assertThatThrownBy(
            () -> new AsyncExtraction(FakeExtractor::new, NeuronType.FWD_UP, 0, Duration.ZERO))
        .hasMessageContaining("maxAttempts must be at least 1, was 0");
  }

  @Test
  void aRetriedExtractionLeavesNoThreadBehindOnceTheTaskCloses() throws Exception {
    BOOM_CALLS.set(0);
    try (var harness =
        opened(
            new AsyncExtraction(FakeExtractor::new, NeuronType.FWD_UP, 3, Duration.ofMillis(1)),
            10_000)) {
      harness.processElement(new StreamRecord<>(doc("boom"), 0));
      harness.endInput();
      assertThat(BOOM_CALLS.get()).as("three attempts").isEqualTo(3);
      assertThat(retryThreads()).as("while the task runs").isNotEmpty();
    }
    for (Thread t : retryThreads()) {
      t.join(5_000); // shut down on close: it ends once its current task does
    }
    assertThat(retryThreads()).as("after it closed").isEmpty();
  }

  private static List<Thread> retryThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.getName().equals("nag-extraction-retries") && t.isAlive())
        .toList();
  }
}
