package io.nagselector.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.nagselector.avro.CrawlDocument;
import io.nagselector.avro.DeadLetter;
import io.nagselector.avro.DeadLetterReason;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The sinks' values: Avro single-object encoding of whichever record they carry. */
class KafkaWiringTest {
  @Test
  void encodesEveryRecordTypeInSingleObjectEncoding() throws Exception {
    CrawlDocument doc = CrawlDocument.newBuilder().setId("d1").setText("some text").build();
    assertThat(CrawlDocument.getDecoder().decode(KafkaWiring.encode(doc))).isEqualTo(doc);
    DeadLetter dead =
        DeadLetters.of(DeadLetterReason.EMPTY_TEXT, "no text", "d2", null, Instant.ofEpochMilli(5));
    assertThat(DeadLetter.getDecoder().decode(KafkaWiring.encode(dead))).isEqualTo(dead);
  }
}
