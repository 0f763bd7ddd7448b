package io.nagselector.io;

import io.nagselector.avro.CrawlDocument;
import io.nagselector.avro.DeadLetterReason;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.text.Normalizer;
import java.util.HexFormat;
import java.util.Optional;

/**
 * Checks a decoded document before it costs inference (id present, text present and not whitespace,
 * not over the byte limit, valid UTF-8, not binary) and derives the exact-dedupe key: 64 bits of
 * SHA-256 of the text in NFC with whitespace runs collapsed.
 */
public final class DocumentValidator {
  /** Why a document was refused. */
  public record Rejection(DeadLetterReason reason, String message) {}

  private final int maxTextBytes;

  public DocumentValidator(int maxTextBytes) {
    if (maxTextBytes <= 0) {
      throw new IllegalArgumentException("max-text-bytes must be positive, got " + maxTextBytes);
    }
    this.maxTextBytes = maxTextBytes;
  }

  /** Longer ids are refused: they are keys and go into every message about the document. */
  public static final int MAX_ID_BYTES = 1024;

  public Optional<Rejection> check(CrawlDocument doc) {
    if (doc.getId() == null || doc.getId().isBlank()) {
      return reject(DeadLetterReason.MISSING_ID, "document has no id");
    }
    String id = doc.getId();
    if (id.length() > MAX_ID_BYTES || id.getBytes(StandardCharsets.UTF_8).length > MAX_ID_BYTES) {
      return reject(
          DeadLetterReason.INVALID_ID,
          "document id of more than "
              + MAX_ID_BYTES
              + " bytes (starts "
              + id.substring(0, 32)
              + ")");
    }
    if (id.chars().anyMatch(Character::isISOControl)) {
      return reject(DeadLetterReason.INVALID_ID, "document id contains control characters");
    }
    String text = doc.getText();
    if (text == null || text.isBlank()) {
      return reject(DeadLetterReason.EMPTY_TEXT, "document " + doc.getId() + " has no text");
    }
    if (text.length() > maxTextBytes
        || text.getBytes(StandardCharsets.UTF_8).length > maxTextBytes) {
      return reject(
          DeadLetterReason.TEXT_TOO_LARGE,
          "document " + doc.getId() + " text exceeds max-text-bytes " + maxTextBytes);
    }
    int control = 0;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '\uFFFD'
          || (Character.isHighSurrogate(c)
              && (i + 1 == text.length() || !Character.isLowSurrogate(text.charAt(i + 1))))
          || (Character.isLowSurrogate(c)
              && (i == 0 || !Character.isHighSurrogate(text.charAt(i - 1))))) {
        return reject(
            DeadLetterReason.INVALID_UTF8, "document " + doc.getId() + " text is not valid UTF-8");
      }
      if (c == 0) {
        return reject(
            DeadLetterReason.BINARY_CONTENT,
            "document " + doc.getId() + " text contains NUL bytes");
      }
      if (Character.isISOControl(c) && c != '\n' && c != '\r' && c != '\t' && c != '\f') {
        control++;
      }
    }
    if (control * 100 > text.length()) {
      return reject(
          DeadLetterReason.BINARY_CONTENT,
          "document "
              + doc.getId()
              + " text is "
              + (control * 100 / text.length())
              + "% control characters");
    }
    return Optional.empty();
  }

  private static Optional<Rejection> reject(DeadLetterReason reason, String message) {
    return Optional.of(new Rejection(reason, message));
  }

  /**
   * The exact-dedupe key of a valid document's text: the first 64 bits of {@link #dedupeDigest}.
   * Two distinct texts share one with probability 2^-64; among a billion remembered texts, the
   * expected number of distinct texts taken for duplicates is about 0.03 (n^2 / 2^65).
   */
  public static long dedupeHash(String text) {
    return ByteBuffer.wrap(dedupeDigest(text)).getLong();
  }

  /** The exact-dedupe key of builds before 0.2 (the whole digest, in hex), for their memory. */
  public static String dedupeKey(String text) {
    return HexFormat.of().formatHex(dedupeDigest(text));
  }

  /** SHA-256 of the text in NFC with whitespace runs collapsed and the ends stripped. */
  private static byte[] dedupeDigest(String text) {
    String normalised =
        Normalizer.normalize(text, Normalizer.Form.NFC).strip().replaceAll("\\s+", " ");
    try {
      return MessageDigest.getInstance("SHA-256")
          .digest(normalised.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
