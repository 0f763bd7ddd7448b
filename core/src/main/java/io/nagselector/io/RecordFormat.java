package io.nagselector.io;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;

/**
 * How a Kafka record value holds one of our records: Avro single-object encoding (the default) or
 * one plain JSON object ({@link AvroJson}). Decoding tells the two apart by the single-object
 * marker (0xC3 0x01; a JSON object starts with '{' or whitespace), so a reader follows a topic
 * whose writer switched formats.
 */
public enum RecordFormat {
  AVRO,
  JSON;

  private static final Map<Schema, BinaryMessageEncoder<SpecificRecord>> ENCODERS =
      new ConcurrentHashMap<>();
  private static final Map<Class<?>, BinaryMessageDecoder<?>> DECODERS = new ConcurrentHashMap<>();

  public static RecordFormat of(String name) {
    return RecordFormat.valueOf(name.trim().toUpperCase(java.util.Locale.ROOT));
  }

  public byte[] encode(SpecificRecord record) {
    try {
      if (this == JSON) {
        return Json.MAPPER.writeValueAsBytes(AvroJson.toJson(record, record.getSchema()));
      }
      ByteBuffer buffer =
          ENCODERS
              .computeIfAbsent(
                  record.getSchema(),
                  schema ->
                      new BinaryMessageEncoder<>(
                          SpecificData.getForClass(record.getClass()), schema))
              .encode(record);
      byte[] bytes = new byte[buffer.remaining()];
      buffer.get(bytes);
      return bytes;
    } catch (IOException e) {
      throw new IllegalStateException("cannot encode " + record.getSchema().getName(), e);
    }
  }

  /** Whether {@code value} starts as Avro single-object encoding does. */
  public static boolean isAvro(byte[] value) {
    return value != null && value.length >= 2 && value[0] == (byte) 0xC3 && value[1] == 0x01;
  }

  /** A record of {@code type} in either format; a value in neither throws. */
  public static <T extends SpecificRecord> T decode(byte[] value, Class<T> type)
      throws IOException {
    return isAvro(value) ? decoder(type).decode(value) : JSON.decodeJson(value, type);
  }

  /**
   * A record of {@code type} in this format only, strictly: a JSON value is exactly one object with
   * no key twice, no unknown field and every field of its type.
   */
  public <T extends SpecificRecord> T decodeStrictly(byte[] value, Class<T> type)
      throws IOException {
    if (this == AVRO) {
      return decoder(type).decode(value);
    }
    return decodeJson(value, type);
  }

  private <T extends SpecificRecord> T decodeJson(byte[] value, Class<T> type) throws IOException {
    SpecificData model = SpecificData.getForClass(type);
    Schema schema = model.getSchema(type);
    JsonNode node = Json.STRICT.readTree(value);
    try {
      return type.cast(model.deepCopy(schema, AvroJson.fromJson(node, schema)));
    } catch (IllegalArgumentException e) {
      throw new IOException(e.getMessage(), e);
    }
  }

  @SuppressWarnings("unchecked")
  private static <T extends SpecificRecord> BinaryMessageDecoder<T> decoder(Class<T> type) {
    return (BinaryMessageDecoder<T>)
        DECODERS.computeIfAbsent(
            type,
            t -> {
              SpecificData model = SpecificData.getForClass(type);
              return new BinaryMessageDecoder<T>(model, model.getSchema(type));
            });
  }
}
