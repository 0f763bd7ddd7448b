package io.nagselector.extract;

import static org.assertj.core.api.Assertions.assertThat;

import io.nagselector.avro.CrawlDocument;
import io.nagselector.avro.DeadLetter;
import io.nagselector.avro.DeadLetterReason;
import io.nagselector.model.NeuronType;
import io.nagselector.pipeline.ExtractedDocument;
import io.nagselector.pipeline.RawRecord;
import io.nagselector.pipeline.SourcedDocument;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.datastream.AsyncDataStream;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.types.Either;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Failed extractions are retried with backoff on the MiniCluster, then dead-lettered. */
class AsyncExtractionRetryIT {
  @RegisterExtension
  static final MiniClusterExtension FLINK =
      new MiniClusterExtension(
          new MiniClusterResourceConfiguration.Builder().setNumberSlotsPerTaskManager(1).build());

  @Test
  void retriesAFailedExtractionBeforeGivingUp() throws Exception {
    AsyncExtractionTest.FLAKY_CALLS.set(0);
    AsyncExtractionTest.BOOM_CALLS.set(0);
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    env.setParallelism(1);
    DataStream<SourcedDocument> docs =
        env.fromData(
            TypeInformation.of(SourcedDocument.class),
            new SourcedDocument(
                CrawlDocument.newBuilder().setId("flaky").setText("x").build(),
                new RawRecord("crawl", 0, 0, null)),
            new SourcedDocument(
                CrawlDocument.newBuilder().setId("boom").setText("y").build(),
                new RawRecord("crawl", 0, 1, null)));
    DataStream<Either<DeadLetter, ExtractedDocument>> out =
        AsyncDataStream.unorderedWait(
            docs,
            new AsyncExtraction(
                AsyncExtractionTest.FakeExtractor::new,
                NeuronType.FWD_UP,
                3,
                Duration.ofMillis(20)),
            10,
            TimeUnit.SECONDS,
            10);
    Map<String, ExtractedDocument> extracted = new HashMap<>();
    Map<String, DeadLetter> dead = new HashMap<>();
    try (CloseableIterator<Either<DeadLetter, ExtractedDocument>> it = out.executeAndCollect()) {
      it.forEachRemaining(
          e -> {
            if (e.isLeft()) {
              dead.put(e.left().getDocId(), e.left());
            } else {
              extracted.put(e.right().document().getId(), e.right());
            }
          });
    }
    assertThat(AsyncExtractionTest.FLAKY_CALLS.get()).isEqualTo(2);
    assertThat(AsyncExtractionTest.BOOM_CALLS.get()).as("three attempts in all").isEqualTo(3);
    assertThat(extracted.get("flaky").feature()).containsExactly(9);
    assertThat(dead.get("boom").getReason()).isEqualTo(DeadLetterReason.EXTRACTION_FAILED);
  }
}
