package io.nagselector.io;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;

/**
 * What happens to a bad row: by default it stops the run with an error naming the file, line and
 * doc id; with skipping on, it is counted and written with its reason to a rejected-rows file.
 */
public final class BadRows implements AutoCloseable {
  private final boolean skip;
  private final Path rejectedFile;
  private final Map<BadRowReason, Long> counts = new EnumMap<>(BadRowReason.class);
  private OutputStream out;
  private JsonGenerator json;

  private BadRows(boolean skip, Path rejectedFile) {
    this.skip = skip;
    this.rejectedFile = rejectedFile;
  }

  /** Every bad row is an error. */
  public static BadRows failing() {
    return new BadRows(false, null);
  }

  /** Bad rows are skipped silently: for a second pass over rows already checked. */
  public static BadRows ignoring() {
    return new BadRows(true, null);
  }

  /** Bad rows are skipped and written to {@code rejectedFile} (created on the first one). */
  public static BadRows skipping(Path rejectedFile) {
    return new BadRows(true, rejectedFile);
  }

  public void reject(
      Location where, String docId, BadRowReason reason, String message, String raw) {
    if (!skip) {
      throw new UserInputException(
          where + (docId != null ? " (doc " + docId + ")" : "") + ": " + message);
    }
    if (rejectedFile == null) {
      return;
    }
    counts.merge(reason, 1L, Long::sum);
    try {
      if (json == null) {
        out = Files.newOutputStream(rejectedFile);
        json = Json.FACTORY.createGenerator(out);
        json.setRootValueSeparator(null);
      }
      json.writeStartObject();
      json.writeStringField("file", where.file().toString());
      json.writeNumberField(where.parquet() ? "row" : "line", where.number());
      json.writeStringField("docid", docId);
      json.writeStringField("reason", reason.name());
      json.writeStringField("message", message);
      if (raw != null) {
        json.writeStringField("raw", raw.length() > 10_000 ? raw.substring(0, 10_000) : raw);
      }
      json.writeEndObject();
      json.writeRaw('\n');
    } catch (IOException e) {
      throw new UserInputException("cannot write " + rejectedFile + ": " + e.getMessage(), e);
    }
  }

  /** Rejects a line that is not valid JSON, with the parser's own description. */
  public void rejectMalformedJson(Location where, JsonProcessingException e, String raw) {
    reject(
        where, null, BadRowReason.MALFORMED_JSON, "malformed JSON: " + e.getOriginalMessage(), raw);
  }

  public long total() {
    return counts.values().stream().mapToLong(Long::longValue).sum();
  }

  public Map<BadRowReason, Long> counts() {
    return Map.copyOf(counts);
  }

  public Path rejectedFile() {
    return rejectedFile;
  }

  @Override
  public void close() throws IOException {
    if (json != null) {
      json.close();
      out.close();
    }
  }
}
