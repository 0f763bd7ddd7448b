package io.nagselector.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.nagselector.avro.CrawlDocument;
import io.nagselector.avro.DeadLetter;
import io.nagselector.extract.ExtractorSpec;
import io.nagselector.extract.FeatureExtractor;
import io.nagselector.extract.SharedExtractor;
import io.nagselector.ingest.DeadLetters;
import io.nagselector.ingest.DecodeAndValidate;
import io.nagselector.io.CrawlDecoder;
import io.nagselector.model.ExtractionResult;
import io.nagselector.model.NeuronType;
import io.nagselector.pipeline.RawRecord;
import io.nagselector.pipeline.SourcedDocument;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Hostile crawl records, each through the job's own decode-and-validate operator and, when it
 * passes, the job's extractor with the default model: what happens to each is exactly one outcome,
 * a dead letter with its reason or a feature, never an exception. (README: "Hostile input".)
 */
class HostileCrawlInputsTest {
  private static final int MAX_TEXT_BYTES = 1_000_000; // config/local.yaml's input.max-text-bytes
  private static FeatureExtractor extractor;

  @BeforeAll
  static void loadTheDefaultModel() {
    extractor =
        SharedExtractor.factory(
                new ExtractorSpec(
                    "default",
                    20,
                    120,
                    NeuronType.FWD_UP,
                    16,
                    4096,
                    Duration.ofMillis(5),
                    1,
                    "cpu",
                    "auto"))
            .open();
  }

  @AfterAll
  static void release() {
    extractor.close();
  }

  static byte[] avro(String id, String text) {
    try {
      ByteBuffer b =
          CrawlDocument.getEncoder()
              .encode(CrawlDocument.newBuilder().setId(id).setText(text).build());
      byte[] out = new byte[b.remaining()];
      b.get(out);
      return out;
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A CrawlDocument written with a later schema version this job does not know yet. */
  static byte[] newerSchemaVersion() throws Exception {
    Schema newer =
        SchemaBuilder.record("CrawlDocument")
            .namespace("io.nagselector.avro")
            .fields()
            .optionalString("id")
            .optionalString("text")
            .optionalString("language")
            .endRecord();
    GenericRecord r = new GenericData.Record(newer);
    r.put("id", "v2");
    r.put("text", "A record from the future.");
    r.put("language", "en");
    ByteBuffer b = new BinaryMessageEncoder<GenericRecord>(GenericData.get(), newer).encode(r);
    return Arrays.copyOfRange(b.array(), b.position(), b.limit());
  }

  /** Avro bytes whose text has {@code bad} where "XYZ" was: not UTF-8. */
  static byte[] notUtf8(byte... bad) {
    byte[] bytes = avro("bad-utf8", "abcXYZdef");
    for (int i = 0; i + 2 < bytes.length; i++) {
      if (bytes[i] == 'X' && bytes[i + 1] == 'Y' && bytes[i + 2] == 'Z') {
        System.arraycopy(bad, 0, bytes, i, 3);
      }
    }
    return bytes;
  }

  static Stream<Arguments> inputs() throws Exception {
    byte[] good = avro("t", "A perfectly ordinary sentence about physics.");
    byte[] unknownFingerprint = good.clone();
    unknownFingerprint[2] ^= 0x5A; // the schema fingerprint follows the 2-byte marker
    return Stream.of(
        Arguments.of(
            "bytes that are not Avro",
            "<html>not avro</html>".getBytes(StandardCharsets.UTF_8),
            "DECODE_ERROR"),
        Arguments.of("a truncated record", Arrays.copyOf(good, good.length / 2), "DECODE_ERROR"),
        Arguments.of("an unknown schema fingerprint", unknownFingerprint, "DECODE_ERROR"),
        Arguments.of("a newer schema version", newerSchemaVersion(), "DECODE_ERROR"),
        Arguments.of("an empty record value", new byte[0], "DECODE_ERROR"),
        Arguments.of("no id", avro(null, "Text without an id."), "MISSING_ID"),
        Arguments.of("a 10,000-character id", avro("i".repeat(10_000), "Text."), "INVALID_ID"),
        Arguments.of("an id with control characters", avro("a\nb\u0007", "Text."), "INVALID_ID"),
        Arguments.of("null text", avro("n", null), "EMPTY_TEXT"),
        Arguments.of("empty text", avro("e", ""), "EMPTY_TEXT"),
        Arguments.of("whitespace text", avro("w", " \t\n\u3000 "), "EMPTY_TEXT"),
        Arguments.of("a 50 MB text", avro("huge", "word ".repeat(10_000_000)), "TEXT_TOO_LARGE"),
        Arguments.of(
            "one character repeated 100,000 times", avro("aaa", "a".repeat(100_000)), "EXTRACTED"),
        Arguments.of("only emoji", avro("emoji", "😀😃😄😁😆🥹🤖🚀🔥💯"), "EXTRACTED"),
        Arguments.of(
            "mixed scripts", avro("mixed", "Physics физика 物理学 فيزياء φυσική"), "EXTRACTED"),
        Arguments.of(
            "right-to-left text",
            avro("rtl", "\u202Eהפיזיקה חוקרת את החומר והאנרגיה"),
            "EXTRACTED"),
        Arguments.of(
            "zero-width characters only",
            avro("zw", "\u200B\u200C\u200D\u2060\uFEFF"),
            "EMPTY_AFTER_TOKENIZATION"),
        Arguments.of(
            "control characters",
            avro("ctl", "text\u0001\u0002\u0003\u0004\u0005\u0006"),
            "BINARY_CONTENT"),
        Arguments.of("NUL bytes", avro("nul", "before\u0000after"), "BINARY_CONTENT"),
        Arguments.of(
            "invalid UTF-8", notUtf8((byte) 0xC3, (byte) 0x28, (byte) 0xA0), "INVALID_UTF8"),
        Arguments.of(
            "a UTF-8-encoded surrogate",
            notUtf8((byte) 0xED, (byte) 0xA0, (byte) 0xBD),
            "INVALID_UTF8"),
        Arguments.of(
            "HTML with script tags",
            avro("html", "<script>alert('x')</script><p>Cells divide.</p>"),
            "EXTRACTED"),
        Arguments.of("a document of one token", avro("one", "Hi"), "EXTRACTED"),
        Arguments.of(
            "combining marks only",
            avro("marks", "\u0301\u0301\u0301"),
            "EMPTY_AFTER_TOKENIZATION"));
  }

  static byte[] json(String record) {
    return record.getBytes(StandardCharsets.UTF_8);
  }

  /**
   * Hostile records for {@code input.format: json}: exactly one object, no key twice, every field
   * of its schema type (fetch_time: epoch milliseconds or an ISO-8601 string); unknown fields are
   * ignored.
   */
  static Stream<Arguments> jsonInputs() {
    String ok = "\"text\": \"Cells divide by mitosis.\"";
    return Stream.of(
        Arguments.of(
            "a well-formed record",
            json("{\"id\": \"j1\", \"text\": \"Cells divide by mitosis and meiosis.\"}"),
            "EXTRACTED"),
        Arguments.of(
            "two objects back to back",
            json("{\"id\": \"a\", " + ok + "}{\"id\": \"b\", " + ok + "}"),
            "DECODE_ERROR"),
        Arguments.of(
            "content after the object", json("{\"id\": \"c\", " + ok + "} x"), "DECODE_ERROR"),
        Arguments.of(
            "whitespace after the object",
            json("{\"id\": \"w\", \"text\": \"Rivers carve canyons over millions of years.\"}\n "),
            "EXTRACTED"),
        Arguments.of(
            "a duplicate key",
            json("{\"id\": \"d\", " + ok + ", \"text\": \"Other.\"}"),
            "DECODE_ERROR"),
        Arguments.of(
            "a number for the text", json("{\"id\": \"n\", \"text\": 123}"), "DECODE_ERROR"),
        Arguments.of("a number for the id", json("{\"id\": 25, " + ok + "}"), "DECODE_ERROR"),
        Arguments.of(
            "a boolean for the url",
            json("{\"id\": \"u\", \"url\": true, " + ok + "}"),
            "DECODE_ERROR"),
        Arguments.of(
            "an array for the text", json("{\"id\": \"r\", \"text\": [\"a\"]}"), "DECODE_ERROR"),
        Arguments.of(
            "a nested attribute value",
            json("{\"id\": \"at\", " + ok + ", \"attributes\": {\"lang\": {\"x\": 1}}}"),
            "DECODE_ERROR"),
        Arguments.of(
            "a number as an attribute value",
            json("{\"id\": \"an\", " + ok + ", \"attributes\": {\"year\": 2026}}"),
            "DECODE_ERROR"),
        Arguments.of(
            "attributes that are not an object",
            json("{\"id\": \"ao\", " + ok + ", \"attributes\": [1]}"),
            "DECODE_ERROR"),
        Arguments.of(
            "a fractional token_count",
            json("{\"id\": \"tf\", " + ok + ", \"token_count\": 1.5}"),
            "DECODE_ERROR"),
        Arguments.of(
            "a string token_count",
            json("{\"id\": \"ts\", " + ok + ", \"token_count\": \"12\"}"),
            "DECODE_ERROR"),
        Arguments.of(
            "a boolean fetch_time",
            json("{\"id\": \"fb\", " + ok + ", \"fetch_time\": true}"),
            "DECODE_ERROR"),
        Arguments.of(
            "an ISO-8601 fetch_time",
            json(
                "{\"id\": \"fi\", \"text\": \"Compilers turn source code into machine code.\","
                    + " \"fetch_time\": \"2026-11-25T10:00:00Z\"}"),
            "EXTRACTED"),
        Arguments.of(
            "an unknown field",
            json(
                "{\"id\": \"uf\", \"text\": \"The orchestra tuned before the symphony.\","
                    + " \"lang\": \"en\"}"),
            "EXTRACTED"),
        Arguments.of("a JSON array", json("[{\"id\": \"x\", " + ok + "}]"), "DECODE_ERROR"),
        Arguments.of("a JSON string", json("\"text\""), "DECODE_ERROR"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("inputs")
  void eachHasExactlyOneOutcome(String kind, byte[] value, String expected) throws Exception {
    assertOneOutcome(CrawlDecoder.Format.AVRO, kind, value, expected);
  }

  @ParameterizedTest(name = "json: {0}")
  @MethodSource("jsonInputs")
  void eachJsonRecordHasExactlyOneOutcome(String kind, byte[] value, String expected)
      throws Exception {
    assertOneOutcome(CrawlDecoder.Format.JSON, kind, value, expected);
  }

  private static void assertOneOutcome(
      CrawlDecoder.Format format, String kind, byte[] value, String expected) throws Exception {
    try (var harness =
        ProcessFunctionTestHarnesses.forProcessFunction(
            new DecodeAndValidate(format, MAX_TEXT_BYTES))) {
      harness.processElement(new RawRecord("crawl", 0, 7, value), 0);
      List<CrawlDocument> passed =
          harness.extractOutputValues().stream().map(SourcedDocument::document).toList();
      var side = harness.getSideOutput(DeadLetters.TAG);
      List<DeadLetter> dead =
          side == null ? List.of() : side.stream().map(StreamRecord::getValue).toList();
      assertThat(passed.size() + dead.size()).as(kind + ": one outcome").isEqualTo(1);
      String outcome;
      if (!dead.isEmpty()) {
        DeadLetter d = dead.get(0);
        outcome = d.getReason().name();
        assertThat(d.getSourceOffset()).isEqualTo(7L);
        // the raw record is kept for inspection unless it is too large to be a Kafka record
        assertThat(d.getRaw() == null).isEqualTo(value.length > DeadLetters.MAX_RAW_BYTES);
        assertThat(d.getMessage().length()).as("bounded message").isLessThan(400);
      } else {
        ExtractionResult r =
            extractor.extract(passed.get(0).getId(), passed.get(0).getText()).get();
        outcome = r instanceof ExtractionResult.Failure f ? f.reason().name() : "EXTRACTED";
        if (r instanceof ExtractionResult.Features f) {
          assertThat(f.tokens()).isBetween(1, 120);
        }
      }
      assertThat(outcome).as(kind).isEqualTo(expected);
    }
  }
}
