package io.nagselector.io;

import com.fasterxml.jackson.core.JsonProcessingException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;

/**
 * Infers a Parquet (Avro) schema from the plain rows that will be written: strings, integers (as
 * long), floating point (as double), booleans, bytes, lists and nested maps (as records). Every
 * field is nullable; values of conflicting types fall back to a JSON-encoded string.
 */
public final class RowSchema {
  private enum Kind {
    NULL,
    BOOLEAN,
    LONG,
    DOUBLE,
    STRING,
    BYTES,
    ARRAY,
    RECORD
  }

  private static final class Node {
    Kind kind = Kind.NULL;
    Node element;
    final Map<String, Node> fields = new LinkedHashMap<>();
  }

  private final Node root = new Node();
  private int recordCount;

  public RowSchema() {
    root.kind = Kind.RECORD;
  }

  public void observe(Map<String, Object> row) {
    observeFields(root, row);
  }

  private void observeFields(Node node, Map<?, ?> map) {
    map.forEach(
        (k, v) -> observe(node.fields.computeIfAbsent(k.toString(), name -> new Node()), v));
  }

  private void observe(Node node, Object value) {
    Kind kind = kindOf(value);
    if (kind == Kind.NULL) {
      return;
    }
    if (node.kind == Kind.NULL) {
      node.kind = kind;
    } else if (node.kind != kind) {
      boolean numeric =
          (node.kind == Kind.LONG || node.kind == Kind.DOUBLE)
              && (kind == Kind.LONG || kind == Kind.DOUBLE);
      node.kind = numeric ? Kind.DOUBLE : Kind.STRING;
      node.element = null;
      node.fields.clear();
      return;
    }
    if (node.kind == Kind.ARRAY) {
      if (node.element == null) {
        node.element = new Node();
      }
      for (Object v : (List<?>) value) {
        observe(node.element, v);
      }
    } else if (node.kind == Kind.RECORD) {
      observeFields(node, (Map<?, ?>) value);
    }
  }

  private static Kind kindOf(Object value) {
    if (value == null) {
      return Kind.NULL;
    }
    if (value instanceof Boolean) {
      return Kind.BOOLEAN;
    }
    if (value instanceof Integer
        || value instanceof Long
        || value instanceof Short
        || value instanceof Byte
        || value instanceof BigInteger) {
      return Kind.LONG;
    }
    if (value instanceof Number) {
      return Kind.DOUBLE;
    }
    if (value instanceof byte[]) {
      return Kind.BYTES;
    }
    if (value instanceof List<?>) {
      return Kind.ARRAY;
    }
    if (value instanceof Map<?, ?>) {
      return Kind.RECORD;
    }
    return Kind.STRING;
  }

  /** The inferred schema; columns that were always null are written as nullable strings. */
  public Schema toAvro() {
    recordCount = 0;
    return recordSchema(root, "row");
  }

  private Schema recordSchema(Node node, String name) {
    List<Schema.Field> fields = new ArrayList<>();
    for (Map.Entry<String, Node> e : node.fields.entrySet()) {
      String fieldName = e.getKey();
      if (!fieldName.matches("[A-Za-z_][A-Za-z0-9_]*")) {
        throw new UserInputException(
            "column '"
                + fieldName
                + "' cannot be written to Parquet (Avro field names are [A-Za-z_][A-Za-z0-9_]*);"
                + " write .jsonl instead");
      }
      fields.add(
          new Schema.Field(fieldName, nullable(schemaOf(e.getValue())), null, Schema.NULL_VALUE));
    }
    return Schema.createRecord(
        name + (recordCount++ == 0 ? "" : recordCount), null, null, false, fields);
  }

  private Schema schemaOf(Node node) {
    return switch (node.kind) {
      case NULL, STRING -> Schema.create(Schema.Type.STRING);
      case BOOLEAN -> Schema.create(Schema.Type.BOOLEAN);
      case LONG -> Schema.create(Schema.Type.LONG);
      case DOUBLE -> Schema.create(Schema.Type.DOUBLE);
      case BYTES -> Schema.create(Schema.Type.BYTES);
      case ARRAY ->
          Schema.createArray(
              node.element == null
                  ? nullable(Schema.create(Schema.Type.STRING))
                  : nullable(schemaOf(node.element)));
      case RECORD -> recordSchema(node, "struct");
    };
  }

  private static Schema nullable(Schema schema) {
    return Schema.createUnion(Schema.create(Schema.Type.NULL), schema);
  }

  static String toJson(Object value) {
    if (value instanceof BigDecimal || value instanceof BigInteger) {
      return value.toString();
    }
    try {
      return Json.MAPPER.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
