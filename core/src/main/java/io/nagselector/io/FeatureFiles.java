package io.nagselector.io;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.exc.StreamReadException;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.LongConsumer;
import org.apache.avro.generic.GenericRecord;

/**
 * Reads NAG features in the reference's layout: {@code {"docid": ..., "<type>_feature":
 * {"layer_topk_value_index": [ints]}}} per JSON line (or the bare list), or the same columns in
 * Parquet. JSON lines are parsed in a streaming fashion, skipping other columns.
 */
public final class FeatureFiles {
  public static final String INDEX_FIELD = "layer_topk_value_index";

  private final String idColumn;
  private final String featureColumn;
  private final BadRows bad;

  public FeatureFiles(String idColumn, String featureColumn, BadRows bad) {
    this.idColumn = idColumn;
    this.featureColumn = featureColumn;
    this.bad = bad;
  }

  public void read(List<Path> files, Consumer<FeatureRow> visitor, LongConsumer progress) {
    for (Path file : files) {
      switch (DataFormat.of(file)) {
        case JSONL -> readJsonl(file, visitor, progress);
        case PARQUET ->
            RowFiles.readParquet(
                file, (record, where) -> fromRecord(record, where, visitor), progress);
      }
    }
  }

  private void readJsonl(Path file, Consumer<FeatureRow> visitor, LongConsumer progress) {
    int[] buffer = new int[1024];
    try (LineReader lines = new LineReader(new BufferedInputStream(Files.newInputStream(file)))) {
      while (lines.next()) {
        if (lines.isBlank()) {
          continue;
        }
        Location where = Location.line(file, lines.lineNumber());
        try (JsonParser p =
            Json.FACTORY.createParser(lines.buffer(), lines.offset(), lines.length())) {
          if (p.nextToken() != JsonToken.START_OBJECT) {
            bad.reject(
                where,
                null,
                BadRowReason.MALFORMED_JSON,
                "malformed JSON: not an object",
                lines.text());
            continue;
          }
          DocIdValue id = null;
          boolean idSeen = false;
          int length = -1;
          while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            JsonToken value = p.nextToken();
            if (name.equals(idColumn)) {
              idSeen = true;
              id = readId(p, value);
            } else if (name.equals(featureColumn)) {
              length = readIndices(p, value, buffer);
              if (length > buffer.length) {
                buffer = new int[length * 2];
                // re-parse this line with a buffer that fits
                try (JsonParser again =
                    Json.FACTORY.createParser(lines.buffer(), lines.offset(), lines.length())) {
                  length = reparse(again, buffer);
                }
                p.skipChildren();
                continue;
              }
            } else {
              p.skipChildren();
            }
          }
          emit(
              where,
              idSeen,
              id,
              length,
              length < 0 ? null : Arrays.copyOf(buffer, length),
              lines.text(),
              visitor);
        } catch (StreamReadException e) {
          bad.rejectMalformedJson(where, e, lines.text());
        } catch (NotAFeature e) {
          bad.reject(where, e.docId, BadRowReason.INVALID_FEATURE, e.getMessage(), lines.text());
        }
        progress.accept(1);
      }
    } catch (IOException e) {
      throw new UserInputException("cannot read " + file + ": " + e.getMessage(), e);
    }
  }

  private int reparse(JsonParser p, int[] buffer) throws IOException {
    p.nextToken();
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String name = p.currentName();
      JsonToken value = p.nextToken();
      if (name.equals(featureColumn)) {
        return readIndices(p, value, buffer);
      }
      p.skipChildren();
    }
    return -1;
  }

  private void emit(
      Location where,
      boolean idSeen,
      DocIdValue id,
      int length,
      int[] indices,
      String raw,
      Consumer<FeatureRow> visitor) {
    if (!idSeen) {
      bad.reject(
          where, null, BadRowReason.MISSING_COLUMN, "missing column '" + idColumn + "'", raw);
    } else if (id == null) {
      bad.reject(
          where,
          null,
          BadRowReason.BAD_DOC_ID,
          "'" + idColumn + "' must be a string or an integer",
          raw);
    } else if (length < 0) {
      bad.reject(
          where,
          id.text(),
          BadRowReason.MISSING_COLUMN,
          "missing column '" + featureColumn + "'",
          raw);
    } else {
      visitor.accept(new FeatureRow(id.text(), id.numeric(), indices, where));
    }
  }

  private static DocIdValue readId(JsonParser p, JsonToken value) throws IOException {
    if (value == JsonToken.VALUE_STRING) {
      return new DocIdValue(p.getText(), false);
    }
    if (value == JsonToken.VALUE_NUMBER_INT
        && p.getNumberType() != JsonParser.NumberType.BIG_INTEGER) {
      return new DocIdValue(Long.toString(p.getLongValue()), true);
    }
    p.skipChildren();
    return null;
  }

  /** Reads the feature value into buffer; returns its length (which may exceed the buffer). */
  private static int readIndices(JsonParser p, JsonToken value, int[] buffer) throws IOException {
    if (value == JsonToken.START_OBJECT) {
      int length = -1;
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        JsonToken inner = p.nextToken();
        if (name.equals(INDEX_FIELD)) {
          length = readIndices(p, inner, buffer);
        } else {
          p.skipChildren();
        }
      }
      if (length < 0) {
        throw new NotAFeature(null, "feature object has no '" + INDEX_FIELD + "' list");
      }
      return length;
    }
    if (value != JsonToken.START_ARRAY) {
      p.skipChildren();
      throw new NotAFeature(
          null, "feature must be a list of integers or {\"" + INDEX_FIELD + "\": [...]}");
    }
    int n = 0;
    JsonToken t;
    while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
      if (t != JsonToken.VALUE_NUMBER_INT) {
        p.skipChildren();
        throw new NotAFeature(null, "feature list holds a non-integer value: " + p.getText());
      }
      long v = p.getLongValue();
      if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
        throw new NotAFeature(null, "neuron index " + v + " is out of the int range");
      }
      if (n < buffer.length) {
        buffer[n] = (int) v;
      }
      n++;
    }
    return n;
  }

  private void fromRecord(GenericRecord record, Location where, Consumer<FeatureRow> visitor) {
    Map<String, Object> row = AvroValues.toMap(record);
    if (!row.containsKey(idColumn)) {
      bad.reject(
          where, null, BadRowReason.MISSING_COLUMN, "missing column '" + idColumn + "'", null);
      return;
    }
    DocIdValue id = DocIdValue.of(row.get(idColumn));
    Object value = row.get(featureColumn);
    if (id == null) {
      bad.reject(
          where,
          null,
          BadRowReason.BAD_DOC_ID,
          "'" + idColumn + "' must be a string or an integer",
          null);
    } else if (value == null) {
      bad.reject(
          where,
          id.text(),
          BadRowReason.MISSING_COLUMN,
          "missing column '" + featureColumn + "'",
          null);
    } else {
      if (value instanceof Map<?, ?> map) {
        value = map.get(INDEX_FIELD);
      }
      if (!(value instanceof List<?> list)) {
        bad.reject(
            where,
            id.text(),
            BadRowReason.INVALID_FEATURE,
            "feature must be a list of integers or {\"" + INDEX_FIELD + "\": [...]}",
            null);
        return;
      }
      int[] indices = new int[list.size()];
      for (int i = 0; i < indices.length; i++) {
        if (!(list.get(i) instanceof Number number)) {
          bad.reject(
              where,
              id.text(),
              BadRowReason.INVALID_FEATURE,
              "feature list holds a non-integer value",
              null);
          return;
        }
        indices[i] = number.intValue();
      }
      visitor.accept(new FeatureRow(id.text(), id.numeric(), indices, where));
    }
  }

  private static final class NotAFeature extends RuntimeException {
    final String docId;

    NotAFeature(String docId, String message) {
      super(message, null, false, false);
      this.docId = docId;
    }
  }
}
