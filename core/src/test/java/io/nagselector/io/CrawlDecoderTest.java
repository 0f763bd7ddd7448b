package io.nagselector.io;

import static org.assertj.core.api.Assertions.assertThat;

import io.nagselector.avro.CrawlDocument;
import io.nagselector.avro.DeadLetterReason;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageEncoder;
import org.junit.jupiter.api.Test;

/**
 * Decoding crawl records by hand-built bytes: every bad value becomes a reason, never an exception.
 */
class CrawlDecoderTest {
  private static final CrawlDecoder AVRO = new CrawlDecoder(CrawlDecoder.Format.AVRO);
  private static final CrawlDecoder JSON = new CrawlDecoder(CrawlDecoder.Format.JSON);

  private static CrawlDocument doc() {
    return CrawlDocument.newBuilder()
        .setId("d1")
        .setUrl("https://example.org/a")
        .setText("Photosynthesis stores light energy.")
        .setFetchTime(Instant.ofEpochMilli(1_700_000_000_000L))
        .setSource("cc")
        .setTokenCount(5)
        .setAttributes(Map.of("lang", "en"))
        .build();
  }

  private static byte[] avroBytes(CrawlDocument d) throws Exception {
    ByteBuffer b = CrawlDocument.getEncoder().encode(d);
    byte[] out = new byte[b.remaining()];
    b.get(out);
    return out;
  }

  private static DeadLetterReason reason(CrawlDecoder.Result r) {
    return ((CrawlDecoder.Rejected) r).reason();
  }

  @Test
  void roundTripsAvroSingleObjectEncoding() throws Exception {
    assertThat(AVRO.decode(avroBytes(doc()))).isEqualTo(new CrawlDecoder.Decoded(doc()));
  }

  @Test
  void rejectsBytesThatAreNotAvroTruncatedOrOfAnUnknownSchema() throws Exception {
    assertThat(reason(AVRO.decode("hello".getBytes(StandardCharsets.UTF_8))))
        .isEqualTo(DeadLetterReason.DECODE_ERROR);
    byte[] good = avroBytes(doc());
    assertThat(reason(AVRO.decode(Arrays.copyOf(good, good.length - 5))))
        .isEqualTo(DeadLetterReason.DECODE_ERROR);
    byte[] otherSchema = good.clone();
    otherSchema[5] ^= 0x55; // the fingerprint lives in bytes 2..9
    CrawlDecoder.Result r = AVRO.decode(otherSchema);
    assertThat(reason(r)).isEqualTo(DeadLetterReason.DECODE_ERROR);
    assertThat(((CrawlDecoder.Rejected) r).message()).contains("MissingSchemaException");
    assertThat(reason(AVRO.decode(new byte[0]))).isEqualTo(DeadLetterReason.DECODE_ERROR);
    assertThat(reason(AVRO.decode(null))).isEqualTo(DeadLetterReason.DECODE_ERROR);
  }

  @Test
  void readsRecordsWrittenWithAnOlderSchemaVersion() throws Exception {
    // a version 0 without token_count and attributes, written by an older producer
    Schema v0 =
        new Schema.Parser()
            .parse(
                "{\"type\": \"record\", \"name\": \"CrawlDocument\", \"namespace\":"
                    + " \"io.nagselector.avro\", \"fields\": [{\"name\": \"id\", \"type\":"
                    + " [\"null\", \"string\"]}, {\"name\": \"text\", \"type\": [\"null\","
                    + " \"string\"]}]}");
    GenericRecord old = new GenericData.Record(v0);
    old.put("id", "old-1");
    old.put("text", "written by version 0");
    ByteBuffer b = new BinaryMessageEncoder<GenericRecord>(GenericData.get(), v0).encode(old);
    byte[] bytes = new byte[b.remaining()];
    b.get(bytes);

    assertThat(reason(AVRO.decode(bytes))).isEqualTo(DeadLetterReason.DECODE_ERROR);
    CrawlDocument d =
        ((CrawlDecoder.Decoded)
                new CrawlDecoder(CrawlDecoder.Format.AVRO, List.of(v0)).decode(bytes))
            .document();
    assertThat(d.getId()).isEqualTo("old-1");
    assertThat(d.getText()).isEqualTo("written by version 0");
    assertThat(d.getAttributes()).isEmpty();
    assertThat(d.getTokenCount()).isNull();
  }

  @Test
  void readsCrawlerJson() {
    String json =
        "{\"id\": \"42\", \"url\": \"https://example.org/a\", \"text\": \"Hi\", \"fetch_time\":"
            + " \"2026-11-25T10:00:00Z\", \"token_count\": 1, \"attributes\": {\"lang\": \"en\"}}";
    CrawlDocument d =
        ((CrawlDecoder.Decoded) JSON.decode(json.getBytes(StandardCharsets.UTF_8))).document();
    assertThat(d.getId()).isEqualTo("42");
    assertThat(d.getFetchTime()).isEqualTo(Instant.parse("2026-11-25T10:00:00Z"));
    assertThat(d.getTokenCount()).isEqualTo(1);
    assertThat(d.getAttributes()).containsEntry("lang", "en");
    assertThat(d.getSource()).isNull();
  }

  @Test
  void rejectsBadJson() {
    assertThat(reason(JSON.decode("{\"id\": \"x\", ".getBytes(StandardCharsets.UTF_8))))
        .isEqualTo(DeadLetterReason.DECODE_ERROR);
    assertThat(reason(JSON.decode("[1, 2]".getBytes(StandardCharsets.UTF_8))))
        .isEqualTo(DeadLetterReason.DECODE_ERROR);
    assertThat(reason(JSON.decode(new byte[] {'{', '"', (byte) 0xC3, (byte) 0x28, '"', '}'})))
        .isEqualTo(DeadLetterReason.INVALID_UTF8);
    assertThat(
            reason(
                JSON.decode(
                    "{\"id\": \"x\", \"fetch_time\": \"yesterday\"}"
                        .getBytes(StandardCharsets.UTF_8))))
        .isEqualTo(DeadLetterReason.DECODE_ERROR);
    assertThat(reason(JSON.decode("{\"id\": {\"a\": 1}}".getBytes(StandardCharsets.UTF_8))))
        .isEqualTo(DeadLetterReason.DECODE_ERROR);
  }
}
