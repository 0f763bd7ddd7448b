package io.nagselector.io;

import com.fasterxml.jackson.databind.JsonNode;
import io.nagselector.avro.CrawlDocument;
import io.nagselector.avro.DeadLetterReason;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.message.BinaryMessageDecoder;

/**
 * Turns a crawl-topic record value into a {@link CrawlDocument}: Avro single-object encoding (the
 * schema fingerprint in the header) or, with {@code input.format: json}, a JSON object with the
 * same field names. Never throws on bad data: it says why instead.
 */
public final class CrawlDecoder {
  /** The wire format of the crawl topic. */
  public enum Format {
    AVRO,
    JSON
  }

  /** A decoded document or the reason there is none. */
  public sealed interface Result {}

  /** Decoded. */
  public record Decoded(CrawlDocument document) implements Result {}

  /** Not decodable. */
  public record Rejected(DeadLetterReason reason, String message) implements Result {}

  private final Format format;
  private final BinaryMessageDecoder<CrawlDocument> avroDecoder;

  public CrawlDecoder(Format format) {
    this(format, List.of());
  }

  /**
   * @param olderSchemas earlier versions of the CrawlDocument schema that producers may still
   *     write: their records are resolved into the current schema (new fields take their defaults)
   */
  public CrawlDecoder(Format format, List<Schema> olderSchemas) {
    this.format = format;
    this.avroDecoder = CrawlDocument.createDecoder(null);
    olderSchemas.forEach(avroDecoder::addSchema);
  }

  public Result decode(byte[] value) {
    if (value == null || value.length == 0) {
      return new Rejected(DeadLetterReason.DECODE_ERROR, "empty record value");
    }
    return format == Format.AVRO ? avro(value) : json(value);
  }

  private Result avro(byte[] value) {
    try {
      return new Decoded(avroDecoder.decode(value));
    } catch (Exception e) {
      return new Rejected(
          DeadLetterReason.DECODE_ERROR,
          "not a CrawlDocument in Avro single-object encoding: "
              + e.getClass().getSimpleName()
              + ": "
              + e.getMessage());
    }
  }

  private static Result json(byte[] value) {
    try {
      StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(value));
    } catch (CharacterCodingException e) {
      return new Rejected(DeadLetterReason.INVALID_UTF8, "record value is not valid UTF-8");
    }
    JsonNode node;
    try {
      node = Json.MAPPER.readTree(value);
    } catch (Exception e) {
      return new Rejected(DeadLetterReason.DECODE_ERROR, "malformed JSON: " + e.getMessage());
    }
    if (node == null || !node.isObject()) {
      return new Rejected(DeadLetterReason.DECODE_ERROR, "JSON value is not an object");
    }
    try {
      return new Decoded(fromJson(node));
    } catch (IllegalArgumentException e) {
      return new Rejected(DeadLetterReason.DECODE_ERROR, e.getMessage());
    }
  }

  private static CrawlDocument fromJson(JsonNode n) {
    Map<String, String> attributes = new LinkedHashMap<>();
    n.path("attributes")
        .fields()
        .forEachRemaining(e -> attributes.put(e.getKey(), e.getValue().asText()));
    JsonNode time = n.path("fetch_time");
    Instant fetchTime = null;
    if (time.isIntegralNumber()) {
      fetchTime = Instant.ofEpochMilli(time.asLong());
    } else if (time.isTextual()) {
      try {
        fetchTime = Instant.parse(time.asText());
      } catch (RuntimeException e) {
        throw new IllegalArgumentException(
            "fetch_time '" + time.asText() + "' is not an ISO-8601 instant");
      }
    }
    JsonNode tokens = n.path("token_count");
    if (!tokens.isMissingNode() && !tokens.isNull() && !tokens.canConvertToInt()) {
      throw new IllegalArgumentException("token_count must be an integer, got " + tokens);
    }
    return CrawlDocument.newBuilder()
        .setId(text(n, "id"))
        .setUrl(text(n, "url"))
        .setText(text(n, "text"))
        .setFetchTime(fetchTime)
        .setSource(text(n, "source"))
        .setTokenCount(tokens.isNumber() ? tokens.asInt() : null)
        .setAttributes(attributes)
        .build();
  }

  private static String text(JsonNode n, String field) {
    JsonNode v = n.path(field);
    if (v.isMissingNode() || v.isNull()) {
      return null;
    }
    if (v.isContainerNode()) {
      throw new IllegalArgumentException(field + " must be a string, got " + v.getNodeType());
    }
    return v.asText();
  }
}
