package io.nagselector.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.nagselector.avro.CrawlDocument;
import io.nagselector.avro.DeadLetter;
import io.nagselector.avro.DeadLetterReason;
import io.nagselector.io.CrawlDecoder;
import io.nagselector.pipeline.RawRecord;
import io.nagselector.pipeline.SourcedDocument;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.Test;

class DecodeAndValidateTest {

  private static byte[] avro(String id, String text) throws Exception {
    ByteBuffer b =
        CrawlDocument.getEncoder()
            .encode(CrawlDocument.newBuilder().setId(id).setText(text).build());
    byte[] out = new byte[b.remaining()];
    b.get(out);
    return out;
  }

  @Test
  void passesGoodDocumentsAndDeadLettersTheRestWithWhereTheyCameFrom() throws Exception {
    try (OneInputStreamOperatorTestHarness<RawRecord, SourcedDocument> harness =
        ProcessFunctionTestHarnesses.forProcessFunction(
            new DecodeAndValidate(CrawlDecoder.Format.AVRO, 100))) {
      harness.setProcessingTime(1_000);
      harness.processElement(new RawRecord("crawl", 0, 1, avro("ok", "Ice floats.")), 0);
      harness.processElement(
          new RawRecord("crawl", 0, 2, "garbage".getBytes(StandardCharsets.UTF_8)), 0);
      harness.processElement(new RawRecord("crawl", 1, 3, avro("empty", "  ")), 0);
      harness.processElement(new RawRecord("crawl", 1, 4, avro("big", "x".repeat(101))), 0);

      assertThat(harness.extractOutputValues())
          .containsExactly(
              new SourcedDocument(
                  CrawlDocument.newBuilder().setId("ok").setText("Ice floats.").build(),
                  new RawRecord("crawl", 0, 1, null)));
      List<DeadLetter> dead =
          harness.getSideOutput(DeadLetters.TAG).stream().map(StreamRecord::getValue).toList();
      assertThat(dead)
          .extracting(DeadLetter::getReason)
          .containsExactly(
              DeadLetterReason.DECODE_ERROR,
              DeadLetterReason.EMPTY_TEXT,
              DeadLetterReason.TEXT_TOO_LARGE);
      assertThat(dead.get(0).getSourceOffset()).isEqualTo(2L);
      assertThat(dead.get(0).getRaw())
          .isEqualTo(ByteBuffer.wrap("garbage".getBytes(StandardCharsets.UTF_8)));
      assertThat(dead.get(1).getDocId()).isEqualTo("empty");
      assertThat(dead.get(2).getSourcePartition()).isEqualTo(1);
      assertThat(dead.get(2).getTime().toEpochMilli()).isEqualTo(1_000L);
    }
  }
}
