package io.nagselector.pipeline;

import io.nagselector.avro.CrawlDocument;
import io.nagselector.avro.DeadLetter;
import io.nagselector.avro.DeadLetterReason;
import io.nagselector.model.ExtractionResult;
import io.nagselector.model.NeuronType;
import java.io.Serializable;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.function.Predicate;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;
import org.apache.flink.streaming.api.functions.async.AsyncRetryStrategy;
import org.apache.flink.streaming.api.functions.async.ResultFuture;
import org.apache.flink.streaming.api.functions.async.RichAsyncFunction;
import org.apache.flink.streaming.util.retryable.AsyncRetryStrategies;
import org.apache.flink.types.Either;

/**
 * Operator 4: hands each document to the shared, batching {@link FeatureExtractor} and completes
 * with its feature. Extraction failures and timeouts become dead letters in-band (after the retry
 * strategy the job configures has given up), so the job never restarts for them.
 */
public final class AsyncExtraction
    extends RichAsyncFunction<SourcedDocument, Either<DeadLetter, ExtractedDocument>> {
  private final FeatureExtractor.Factory factory;
  private final NeuronType type;
  private transient FeatureExtractor extractor;
  private transient Histogram latency;

  public AsyncExtraction(FeatureExtractor.Factory factory, NeuronType type) {
    this.factory = factory;
    this.type = type;
  }

  @Override
  public void open(OpenContext context) {
    extractor = factory.open();
    MetricGroup batcher = getRuntimeContext().getMetricGroup().addGroup("batcher");
    batcher.gauge("queued", () -> extractor.stats() == null ? 0 : extractor.stats().queued());
    batcher.gauge(
        "meanBatchSize", () -> extractor.stats() == null ? 0.0 : extractor.stats().meanBatchSize());
    batcher.gauge("fill", () -> extractor.stats() == null ? 0.0 : extractor.stats().fill());
    latency =
        getRuntimeContext()
            .getMetricGroup()
            .histogram("extractionLatencyMs", new DescriptiveStatisticsHistogram(1000));
  }

  @Override
  public void close() {
    if (extractor != null) {
      extractor.close();
    }
  }

  @Override
  public void asyncInvoke(
      SourcedDocument sourced, ResultFuture<Either<DeadLetter, ExtractedDocument>> result) {
    long start = System.nanoTime();
    CrawlDocument doc = sourced.document();
    extractor
        .extract(doc.getId(), doc.getText())
        .whenComplete(
            (r, error) -> {
              latency.update((System.nanoTime() - start) / 1_000_000);
              if (error != null) {
                result.complete(
                    List.of(
                        failed(
                            sourced,
                            DeadLetterReason.EXTRACTION_FAILED,
                            String.valueOf(error.getMessage()))));
              } else if (r instanceof ExtractionResult.Features f) {
                result.complete(
                    List.of(
                        Either.Right(
                            new ExtractedDocument(doc, f.features().get(type), f.tokens()))));
              } else {
                ExtractionResult.Failure failure = (ExtractionResult.Failure) r;
                DeadLetterReason reason =
                    failure.reason() == ExtractionResult.Reason.EMPTY_AFTER_TOKENIZATION
                        ? DeadLetterReason.EMPTY_AFTER_TOKENIZATION
                        : DeadLetterReason.EXTRACTION_FAILED;
                result.complete(List.of(failed(sourced, reason, failure.message())));
              }
            });
  }

  /**
   * Retries documents whose extraction failed (not those that are empty after tokenization), with
   * exponential backoff from {@code backoff} up to 8x it, {@code maxAttempts} attempts in all.
   */
  public static AsyncRetryStrategy<Either<DeadLetter, ExtractedDocument>> retryStrategy(
      int maxAttempts, Duration backoff) {
    return new AsyncRetryStrategies.ExponentialBackoffDelayRetryStrategyBuilder<
            Either<DeadLetter, ExtractedDocument>>(
            maxAttempts, backoff.toMillis(), backoff.toMillis() * 8, 2.0)
        .ifResult(new RetryOnFailure())
        .build();
  }

  /** Retry when a document's extraction failed (serializable: it travels in the job graph). */
  private static final class RetryOnFailure
      implements Predicate<Collection<Either<DeadLetter, ExtractedDocument>>>, Serializable {
    @Override
    public boolean test(Collection<Either<DeadLetter, ExtractedDocument>> results) {
      return results.stream()
          .anyMatch(r -> r.isLeft() && r.left().getReason() == DeadLetterReason.EXTRACTION_FAILED);
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
