package io.nagselector.io;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericFixed;
import org.apache.avro.generic.GenericRecord;

/** Converts between Avro generic values and plain Java values (String, Long, Map, List ...). */
final class AvroValues {
  private AvroValues() {}

  /** An Avro record as an ordered map of plain values. */
  static Map<String, Object> toMap(GenericRecord record) {
    Map<String, Object> row = new LinkedHashMap<>();
    for (Schema.Field field : record.getSchema().getFields()) {
      row.put(field.name(), toPlain(record.get(field.pos())));
    }
    return row;
  }

  static Object toPlain(Object value) {
    if (value instanceof CharSequence s) {
      return s.toString();
    }
    if (value instanceof GenericRecord r) {
      return toMap(r);
    }
    if (value instanceof Map<?, ?> m) {
      Map<String, Object> out = new LinkedHashMap<>();
      m.forEach((k, v) -> out.put(k.toString(), toPlain(v)));
      return out;
    }
    if (value instanceof Collection<?> c) {
      List<Object> out = new ArrayList<>(c.size());
      for (Object v : c) {
        out.add(toPlain(v));
      }
      return out;
    }
    if (value instanceof ByteBuffer b) {
      byte[] bytes = new byte[b.remaining()];
      b.duplicate().get(bytes);
      return bytes;
    }
    if (value instanceof GenericFixed f) {
      return f.bytes().clone();
    }
    if (value instanceof GenericData.EnumSymbol e) {
      return e.toString();
    }
    return value;
  }

  /** A plain value as an Avro value of {@code schema} (a nullable union or a plain type). */
  static Object fromPlain(Object value, Schema schema) {
    if (schema.getType() == Schema.Type.UNION) {
      if (value == null) {
        return null;
      }
      for (Schema branch : schema.getTypes()) {
        if (branch.getType() != Schema.Type.NULL) {
          return fromPlain(value, branch);
        }
      }
    }
    if (value == null) {
      return null;
    }
    return switch (schema.getType()) {
      case STRING -> value instanceof String s ? s : RowSchema.toJson(value);
      case LONG -> ((Number) value).longValue();
      case DOUBLE -> ((Number) value).doubleValue();
      case BOOLEAN -> value;
      case BYTES -> ByteBuffer.wrap((byte[]) value);
      case ARRAY -> {
        List<Object> out = new ArrayList<>();
        for (Object v : (List<?>) value) {
          out.add(fromPlain(v, schema.getElementType()));
        }
        yield out;
      }
      case RECORD -> {
        GenericRecord record = new GenericData.Record(schema);
        Map<?, ?> map = (Map<?, ?>) value;
        for (Schema.Field field : schema.getFields()) {
          record.put(field.pos(), fromPlain(map.get(field.name()), field.schema()));
        }
        yield record;
      }
      default -> throw new IllegalStateException("unsupported output type " + schema);
    };
  }
}
