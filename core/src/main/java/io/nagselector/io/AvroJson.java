package io.nagselector.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.IndexedRecord;

/**
 * Our Avro records as plain JSON objects and back: the schema's field names; a nullable field is
 * the value or null (no union wrapper); enums are their symbol; timestamps are epoch milliseconds
 * (an ISO-8601 string is also read); bytes are base64; a non-finite double is the string "NaN",
 * "Infinity" or "-Infinity". Reading is strict: unknown fields, missing fields without a default
 * and values of another type are refused with the field's path.
 */
public final class AvroJson {
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private AvroJson() {}

  public static JsonNode toJson(Object value, Schema schema) {
    if (value == null) {
      return NODES.nullNode();
    }
    switch (schema.getType()) {
      case RECORD:
        ObjectNode object = NODES.objectNode();
        IndexedRecord record = (IndexedRecord) value;
        for (Schema.Field f : schema.getFields()) {
          object.set(f.name(), toJson(record.get(f.pos()), f.schema()));
        }
        return object;
      case UNION:
        return toJson(value, nonNull(schema));
      case ARRAY:
        ArrayNode array = NODES.arrayNode();
        for (Object item : (Iterable<?>) value) {
          array.add(toJson(item, schema.getElementType()));
        }
        return array;
      case MAP:
        ObjectNode map = NODES.objectNode();
        ((Map<?, ?>) value)
            .forEach((k, v) -> map.set(k.toString(), toJson(v, schema.getValueType())));
        return map;
      case ENUM:
      case STRING:
        return NODES.textNode(value.toString());
      case INT:
        return NODES.numberNode(((Number) value).intValue());
      case LONG:
        return NODES.numberNode(
            value instanceof Instant i ? i.toEpochMilli() : ((Number) value).longValue());
      case FLOAT:
      case DOUBLE:
        double d = ((Number) value).doubleValue();
        return Double.isFinite(d) ? NODES.numberNode(d) : NODES.textNode(Double.toString(d));
      case BOOLEAN:
        return NODES.booleanNode((Boolean) value);
      case BYTES:
        ByteBuffer b = ((ByteBuffer) value).duplicate();
        byte[] bytes = new byte[b.remaining()];
        b.get(bytes);
        return NODES.textNode(Base64.getEncoder().encodeToString(bytes));
      default:
        throw new IllegalArgumentException("no JSON form for Avro type " + schema.getType());
    }
  }

  /** The value for {@code schema} that {@code node} holds, as our generated records hold it. */
  public static Object fromJson(JsonNode node, Schema schema) {
    return fromJson(node, schema, "");
  }

  private static Object fromJson(JsonNode node, Schema schema, String path) {
    String at = path.isEmpty() ? "the record" : path;
    if (schema.getType() == Schema.Type.UNION) {
      return node == null || node.isNull() ? null : fromJson(node, nonNull(schema), path);
    }
    if (node == null || node.isNull()) {
      throw new IllegalArgumentException(at + " must not be null");
    }
    switch (schema.getType()) {
      case RECORD:
        return record(node, schema, path);
      case ARRAY:
        expect(node.isArray(), at, "an array", node);
        List<Object> items = new ArrayList<>();
        for (int i = 0; i < node.size(); i++) {
          items.add(fromJson(node.get(i), schema.getElementType(), path + "[" + i + "]"));
        }
        return new GenericData.Array<>(schema, items);
      case MAP:
        expect(node.isObject(), at, "an object", node);
        Map<String, Object> map = new LinkedHashMap<>();
        node.fields()
            .forEachRemaining(
                e ->
                    map.put(
                        e.getKey(),
                        fromJson(e.getValue(), schema.getValueType(), path + "." + e.getKey())));
        return map;
      case ENUM:
        expect(
            node.isTextual() && schema.hasEnumSymbol(node.asText()),
            at,
            "one of " + schema.getEnumSymbols(),
            node);
        return GenericData.get().createEnum(node.asText(), schema);
      case STRING:
        expect(node.isTextual(), at, "a string", node);
        return node.asText();
      case INT:
        expect(node.isIntegralNumber() && node.canConvertToInt(), at, "an int", node);
        return node.asInt();
      case LONG:
        return longValue(node, schema, at);
      case FLOAT:
      case DOUBLE:
        double d = doubleValue(node, at);
        return schema.getType() == Schema.Type.FLOAT ? (Object) (float) d : (Object) d;
      case BOOLEAN:
        expect(node.isBoolean(), at, "a boolean", node);
        return node.asBoolean();
      case BYTES:
        expect(node.isTextual(), at, "a base64 string", node);
        try {
          return ByteBuffer.wrap(Base64.getDecoder().decode(node.asText()));
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException(at + " must be a base64 string");
        }
      default:
        throw new IllegalArgumentException(at + ": no JSON form for Avro type " + schema.getType());
    }
  }

  private static GenericData.Record record(JsonNode node, Schema schema, String path) {
    String at = path.isEmpty() ? "the record" : path;
    expect(node.isObject(), at, "an object", node);
    for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (schema.getField(name) == null) {
        throw new IllegalArgumentException(
            (path.isEmpty() ? "" : path + ".") + name + ": unknown field of " + schema.getName());
      }
    }
    GenericData.Record record = new GenericData.Record(schema);
    for (Schema.Field f : schema.getFields()) {
      String fieldPath = path.isEmpty() ? f.name() : path + "." + f.name();
      if (node.has(f.name())) {
        record.put(f.pos(), fromJson(node.get(f.name()), f.schema(), fieldPath));
      } else if (f.hasDefaultValue()) {
        record.put(f.pos(), GenericData.get().getDefaultValue(f));
      } else {
        throw new IllegalArgumentException(fieldPath + " is missing (it has no default)");
      }
    }
    return record;
  }

  private static Object longValue(JsonNode node, Schema schema, String at) {
    boolean timestamp = schema.getLogicalType() instanceof LogicalTypes.TimestampMillis;
    if (timestamp && node.isTextual()) {
      try {
        return Instant.parse(node.asText());
      } catch (RuntimeException e) {
        throw new IllegalArgumentException(
            at + " '" + node.asText() + "' is not an ISO-8601 instant");
      }
    }
    expect(
        node.isIntegralNumber() && node.canConvertToLong(),
        at,
        timestamp ? "epoch milliseconds or an ISO-8601 string" : "a long",
        node);
    return timestamp ? Instant.ofEpochMilli(node.asLong()) : node.asLong();
  }

  private static double doubleValue(JsonNode node, String at) {
    if (node.isTextual()) {
      switch (node.asText()) {
        case "NaN":
          return Double.NaN;
        case "Infinity":
          return Double.POSITIVE_INFINITY;
        case "-Infinity":
          return Double.NEGATIVE_INFINITY;
        default:
          break;
      }
    }
    expect(node.isNumber(), at, "a number", node);
    return node.asDouble();
  }

  private static void expect(boolean ok, String at, String what, JsonNode got) {
    if (!ok) {
      String value = got.toString();
      throw new IllegalArgumentException(
          at
              + " must be "
              + what
              + ", got "
              + (value.length() > 40 ? value.substring(0, 40) + "…" : value));
    }
  }

  /** The one non-null branch of a nullable union (all our unions are). */
  private static Schema nonNull(Schema union) {
    List<Schema> branches =
        union.getTypes().stream().filter(s -> s.getType() != Schema.Type.NULL).toList();
    if (branches.size() != 1) {
      throw new IllegalArgumentException("only [null, T] unions have a JSON form: " + union);
    }
    return branches.get(0);
  }
}
