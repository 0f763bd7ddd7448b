package io.nagselector.extract;

import io.nagselector.avro.CrawlDocument;
import io.nagselector.avro.DeadLetter;
import io.nagselector.avro.DeadLetterReason;
import io.nagselector.ingest.DeadLetters;
import io.nagselector.model.ExtractionResult;
import io.nagselector.model.NeuronType;
import io.nagselector.pipeline.ExtractedDocument;
import io.nagselector.pipeline.SourcedDocument;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;
import org.apache.flink.streaming.api.functions.async.ResultFuture;
import org.apache.flink.streaming.api.functions.async.RichAsyncFunction;
import org.apache.flink.types.Either;

/**
 * Operator 4: hands each document to the shared, batching {@link FeatureExtractor} and completes
 * with its feature. A failed extraction is tried again, {@code maxAttempts} attempts in all, with
 * exponential backoff from {@code backoff} up to 8x it; then it, a timeout, or a text empty after
 * tokenization becomes a dead letter in-band, so the job never restarts for them.
 *
 * <p>The retries are this function's own, not Flink's retry strategy: in Flink 2.2 that strategy
 * hands every result to the task's mailbox twice, and a result that comes while a stop with a
 * savepoint closes the mailbox fails the task, and with it the stop.
 */
public final class AsyncExtraction
    extends RichAsyncFunction<SourcedDocument, Either<DeadLetter, ExtractedDocument>> {
  private final FeatureExtractor.Factory factory;
  private final NeuronType type;
  private final int maxAttempts;
  private final Duration backoff;
  private transient FeatureExtractor extractor;
  private transient Histogram latency;
  private transient Counter retries;
  private transient volatile boolean closed;
  private transient ScheduledExecutorService retryTimer;

  public AsyncExtraction(
      FeatureExtractor.Factory factory, NeuronType type, int maxAttempts, Duration backoff) {
    if (maxAttempts < 1) {
      throw new IllegalArgumentException("maxAttempts must be at least 1, was " + maxAttempts);
    }
    this.factory = factory;
    this.type = type;
    this.maxAttempts = maxAttempts;
    this.backoff = backoff;
  }

  @Override
  public void open(OpenContext context) {
    extractor = factory.open();
    closed = false;
    MetricGroup metrics = getRuntimeContext().getMetricGroup();
    MetricGroup batcher = metrics.addGroup("batcher");
    batcher.gauge("queued", () -> extractor.stats() == null ? 0 : extractor.stats().queued());
    batcher.gauge(
        "meanBatchSize", () -> extractor.stats() == null ? 0.0 : extractor.stats().meanBatchSize());
    batcher.gauge("fill", () -> extractor.stats() == null ? 0.0 : extractor.stats().fill());
    latency = metrics.histogram("extractionLatencyMs", new DescriptiveStatisticsHistogram(1000));
    retries = metrics.counter("extractionRetries");
  }

  /**
   * The thread that waits out the backoffs: this function's own, made on the first retry and
   * stopped on close, so that no thread outlives the task holding its classloader (the JDK's shared
   * delay scheduler would).
   */
  private synchronized ScheduledExecutorService retryTimer() {
    if (closed) {
      throw new RejectedExecutionException("the extraction is closed");
    }
    if (retryTimer == null) {
      retryTimer =
          Executors.newSingleThreadScheduledExecutor(
              r -> {
                Thread t = new Thread(r, "nag-extraction-retries");
                t.setDaemon(true);
                return t;
              });
    }
    return retryTimer;
  }

  @Override
  public void close() {
    closed = true;
    synchronized (this) {
      if (retryTimer != null) {
        retryTimer.shutdownNow();
      }
    }
    if (extractor != null) {
      extractor.close();
    }
  }

  @Override
  public void asyncInvoke(
      SourcedDocument sourced, ResultFuture<Either<DeadLetter, ExtractedDocument>> result) {
    attempt(sourced, result, 1, System.nanoTime());
  }

  private void attempt(
      SourcedDocument sourced,
      ResultFuture<Either<DeadLetter, ExtractedDocument>> result,
      int attempt,
      long start) {
    CrawlDocument doc = sourced.document();
    extractor
        .extract(doc.getId(), doc.getText())
        .whenComplete(
            (r, error) -> {
              Either<DeadLetter, ExtractedDocument> outcome = outcome(sourced, r, error);
              if (retryable(outcome) && attempt < maxAttempts && !closed) {
                retries.inc();
                try {
                  retryTimer()
                      .schedule(
                          () -> attempt(sourced, result, attempt + 1, start),
                          backoffMillis(backoff, attempt),
                          TimeUnit.MILLISECONDS);
                  return;
                } catch (RejectedExecutionException closing) {
                  // closed meanwhile: the failure goes out as it is
                }
              }
              latency.update((System.nanoTime() - start) / 1_000_000);
              complete(result, outcome);
            });
  }

  /** The wait after failed attempt {@code attempt}: backoff x 2^(attempt - 1), at most 8x. */
  static long backoffMillis(Duration backoff, int attempt) {
    return backoff.toMillis() << Math.min(attempt - 1, 3);
  }

  private Either<DeadLetter, ExtractedDocument> outcome(
      SourcedDocument sourced, ExtractionResult r, Throwable error) {
    if (error != null) {
      return failed(
          sourced, DeadLetterReason.EXTRACTION_FAILED, String.valueOf(error.getMessage()));
    }
    if (r instanceof ExtractionResult.Features f) {
      return Either.Right(
          new ExtractedDocument(sourced.document(), f.features().get(type), f.tokens()));
    }
    ExtractionResult.Failure failure = (ExtractionResult.Failure) r;
    DeadLetterReason reason =
        failure.reason() == ExtractionResult.Reason.EMPTY_AFTER_TOKENIZATION
            ? DeadLetterReason.EMPTY_AFTER_TOKENIZATION
            : DeadLetterReason.EXTRACTION_FAILED;
    return failed(sourced, reason, failure.message());
  }

  /** A failed extraction may succeed again; an empty text or a timeout will not. */
  private static boolean retryable(Either<DeadLetter, ExtractedDocument> outcome) {
    return outcome.isLeft() && outcome.left().getReason() == DeadLetterReason.EXTRACTION_FAILED;
  }

  private static void complete(
      ResultFuture<Either<DeadLetter, ExtractedDocument>> result,
      Either<DeadLetter, ExtractedDocument> outcome) {
    try {
      result.complete(List.of(outcome));
    } catch (RejectedExecutionException stopping) {
      // the task is stopping: the document is in the in-flight state its last checkpoint took,
      // and is extracted again when the job is restored from it
    }
  }

  @Override
  public void timeout(
      SourcedDocument doc, ResultFuture<Either<DeadLetter, ExtractedDocument>> result) {
    result.complete(
        List.of(
            failed(
                doc,
                DeadLetterReason.EXTRACTION_TIMEOUT,
                "extraction did not finish within the async timeout")));
  }

  private static Either<DeadLetter, ExtractedDocument> failed(
      SourcedDocument doc, DeadLetterReason reason, String message) {
    CrawlDocument d = doc.document();
    return Either.Left(DeadLetters.of(reason, message, d.getId(), doc.origin(), Instant.now()));
  }
}
