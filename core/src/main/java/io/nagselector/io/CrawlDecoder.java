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
      node = Json.STRICT.readTree(value);
    } catch (Exception e) {
      return new Rejected(
          DeadLetterReason.DECODE_ERROR, "malformed JSON: " + firstLine(e.getMessage()));
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
    JsonNode attrs = n.path("attributes");
    if (!attrs.isMissingNode() && !attrs.isNull()) {
      if (!attrs.isObject()) {
        throw new IllegalArgumentException(
            "attributes must be an object of strings, got " + attrs.getNodeType());
      }
      attrs
          .fields()
          .forEachRemaining(
              e -> {
                if (!e.getValue().isTextual()) {
                  throw new IllegalArgumentException(
                      "attributes."
                          + e.getKey()
                          + " must be a string, got "
                          + e.getValue().getNodeType());
                }
                attributes.put(e.getKey(), e.getValue().asText());
              });
    }
    JsonNode time = n.path("fetch_time");
    Instant fetchTime = null;
    if (time.isIntegralNumber() && time.canConvertToLong()) {
      fetchTime = Instant.ofEpochMilli(time.asLong());
    } else if (time.isTextual()) {
      try {
        fetchTime = Instant.parse(time.asText());
      } catch (RuntimeException e) {
        throw new IllegalArgumentException(
            "fetch_time '" + time.asText() + "' is not an ISO-8601 instant");
      }
    } else if (!time.isMissingNode() && !time.isNull()) {
      throw new IllegalArgumentException(
          "fetch_time must be epoch milliseconds or an ISO-8601 string, got " + time.getNodeType());
    }
    JsonNode tokens = n.path("token_count");
    boolean hasTokens = !tokens.isMissingNode() && !tokens.isNull();
    if (hasTokens && !(tokens.isIntegralNumber() && tokens.canConvertToInt())) {
      throw new IllegalArgumentException(
          "token_count must be an integer, got " + tokens.getNodeType() + " " + bounded(tokens));
    }
    return CrawlDocument.newBuilder()
        .setId(text(n, "id"))
        .setUrl(text(n, "url"))
        .setText(text(n, "text"))
        .setFetchTime(fetchTime)
        .setSource(text(n, "source"))
        .setTokenCount(hasTokens ? tokens.asInt() : null)
        .setAttributes(attributes)
        .build();
  }

  /** A string field: a JSON string or null; a number, boolean, array or object is refused. */
  private static String text(JsonNode n, String field) {
    JsonNode v = n.path(field);
    if (v.isMissingNode() || v.isNull()) {
      return null;
    }
    if (!v.isTextual()) {
      throw new IllegalArgumentException(
          field + " must be a string, got " + v.getNodeType() + " " + bounded(v));
    }
    return v.asText();
  }

  private static String bounded(JsonNode v) {
    String s = v.toString();
    return s.length() > 40 ? s.substring(0, 40) + "…" : s;
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "";
    }
    int nl = message.indexOf('\n');
    String line = nl < 0 ? message : message.substring(0, nl);
    return line.length() > 200 ? line.substring(0, 200) + "…" : line;
  }
}
