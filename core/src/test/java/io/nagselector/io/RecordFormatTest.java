package io.nagselector.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.nagselector.avro.CommandType;
import io.nagselector.avro.ControlEvent;
import io.nagselector.avro.CrawlDocument;
import io.nagselector.avro.DeadLetter;
import io.nagselector.avro.DocumentFeature;
import io.nagselector.avro.DuplicateDocument;
import io.nagselector.avro.SelectedDocument;
import io.nagselector.avro.TargetCommand;
import io.nagselector.avro.TargetState;
import io.nagselector.avro.TopKSnapshot;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;

class RecordFormatTest {
  private static final List<Class<? extends SpecificRecord>> TYPES =
      List.of(
          CrawlDocument.class,
          TargetCommand.class,
          ControlEvent.class,
          TargetState.class,
          SelectedDocument.class,
          TopKSnapshot.class,
          DocumentFeature.class,
          DeadLetter.class,
          DuplicateDocument.class);

  /** A record of {@code type} with random values in every field, nulls included. */
  private static <T extends SpecificRecord> T random(Class<T> type, Random rnd) {
    SpecificData model = SpecificData.getForClass(type);
    Schema schema = model.getSchema(type);
    return type.cast(model.deepCopy(schema, value(schema, rnd)));
  }

  private static Object value(Schema s, Random rnd) {
    switch (s.getType()) {
      case RECORD:
        GenericData.Record r = new GenericData.Record(s);
        s.getFields().forEach(f -> r.put(f.pos(), value(f.schema(), rnd)));
        return r;
      case UNION:
        return rnd.nextInt(3) == 0 ? null : value(s.getTypes().get(1), rnd);
      case ARRAY:
        List<Object> items = new ArrayList<>();
        for (int i = rnd.nextInt(4); i > 0; i--) {
          items.add(value(s.getElementType(), rnd));
        }
        return new GenericData.Array<>(s, items);
      case MAP:
        Map<String, Object> map = new HashMap<>();
        for (int i = rnd.nextInt(3); i > 0; i--) {
          map.put("k" + rnd.nextInt(100), value(s.getValueType(), rnd));
        }
        return map;
      case ENUM:
        return GenericData.get()
            .createEnum(s.getEnumSymbols().get(rnd.nextInt(s.getEnumSymbols().size())), s);
      case STRING:
        return "s\u00e9\"\n" + rnd.nextInt(1000);
      case INT:
        return rnd.nextInt();
      case LONG:
        long v = rnd.nextLong() >>> 20;
        return s.getLogicalType() instanceof LogicalTypes.TimestampMillis
            ? Instant.ofEpochMilli(v)
            : (Object) v;
      case FLOAT:
        return rnd.nextFloat();
      case DOUBLE:
        return rnd.nextGaussian();
      case BOOLEAN:
        return rnd.nextBoolean();
      case BYTES:
        byte[] b = new byte[rnd.nextInt(5)];
        rnd.nextBytes(b);
        return ByteBuffer.wrap(b);
      default:
        throw new IllegalArgumentException(s.getType().toString());
    }
  }

  @Test
  void everyRecordTypeRoundTripsInBothFormats() throws Exception {
    Random rnd = new Random(7);
    for (Class<? extends SpecificRecord> type : TYPES) {
      for (int i = 0; i < 20; i++) {
        SpecificRecord record = random(type, rnd);
        for (RecordFormat format : RecordFormat.values()) {
          byte[] bytes = format.encode(record);
          assertThat(RecordFormat.isAvro(bytes)).isEqualTo(format == RecordFormat.AVRO);
          assertThat(RecordFormat.decode(bytes, type)).as("%s %s", format, type).isEqualTo(record);
          assertThat(format.decodeStrictly(bytes, type)).isEqualTo(record);
        }
      }
    }
  }

  @Test
  void jsonIsOnePlainObjectWithTheSchemasFieldNames() throws Exception {
    ControlEvent event =
        ControlEvent.newBuilder()
            .setCommandId("c1")
            .setTarget("science")
            .setStatus(io.nagselector.avro.CommandStatus.APPLIED)
            .setCommandType("UPSERT")
            .setVersion(3)
            .setTime(Instant.ofEpochMilli(1_700_000_000_123L))
            .build();
    JsonNode json = Json.MAPPER.readTree(RecordFormat.JSON.encode(event));
    assertThat(json.toString())
        .isEqualTo(
            "{\"command_id\":\"c1\",\"target\":\"science\",\"status\":\"APPLIED\","
                + "\"command_type\":\"UPSERT\",\"version\":3,\"paused\":false,"
                + "\"example_count\":null,\"profile_fingerprint\":null,\"summary\":null,"
                + "\"reason\":null,\"message\":null,\"time\":1700000000123}");
  }

  @Test
  void aNonFiniteDoubleIsAString() throws Exception {
    Schema policy = io.nagselector.avro.TargetPolicy.getClassSchema();
    GenericData.Record p = new GenericData.Record(policy);
    p.put("kind", GenericData.get().createEnum("THRESHOLD", policy.getField("kind").schema()));
    p.put("value", Double.NEGATIVE_INFINITY);
    JsonNode json = AvroJson.toJson(p, policy);
    assertThat(json.get("value").asText()).isEqualTo("-Infinity");
    assertThat(((GenericData.Record) AvroJson.fromJson(json, policy)).get("value"))
        .isEqualTo(Double.NEGATIVE_INFINITY);
  }

  private static TargetCommand command(String json) throws IOException {
    return RecordFormat.JSON.decodeStrictly(
        json.getBytes(StandardCharsets.UTF_8), TargetCommand.class);
  }

  @Test
  void aJsonCommandTakesDefaultsAndRefusesWhatAvroCouldNotHold() throws Exception {
    TargetCommand c =
        command(
            "{\"command_id\": \"c\", \"type\": \"UPSERT\", \"target\": \"t\", \"example_texts\":"
                + " [\"a\"], \"policy\": {\"kind\": \"FRACTION\", \"value\": 0.2},"
                + " \"issued_at\": \"2026-12-01T00:00:00Z\"}");
    assertThat(c.getType()).isEqualTo(CommandType.UPSERT);
    assertThat(c.getPolicy().getValue()).isEqualTo(0.2);
    assertThat(c.getExampleFeatures()).isEmpty();
    assertThat(c.getTopK()).isNull();
    assertThat(c.getIssuedAt()).isEqualTo(Instant.parse("2026-12-01T00:00:00Z"));
    String base = "{\"command_id\": \"c\", \"type\": \"UPSERT\", \"target\": \"t\"";
    Map<String, String> refused =
        Map.of(
            base + ", \"colour\": \"red\"}",
            "colour: unknown field of TargetCommand",
            "{\"command_id\": \"c\", \"type\": \"UPSERT\"}",
            "target is missing",
            base + ", \"type\": \"UPSERT\"}",
            "Duplicate field 'type'",
            base + "}{}",
            "Trailing token",
            "{\"command_id\": \"c\", \"type\": \"DELETE\", \"target\": \"t\"}",
            "type must be one of",
            base + ", \"top_k\": 2.5}",
            "top_k must be an int",
            base + ", \"top_k\": \"5\"}",
            "top_k must be an int",
            base + ", \"example_texts\": [1]}",
            "example_texts[0] must be a string",
            base + ", \"policy\": {\"kind\": \"FRACTION\"}}",
            "policy.value is missing",
            "{\"command_id\": 7, \"type\": \"UPSERT\", \"target\": \"t\"}",
            "command_id must be a string");
    refused.forEach(
        (json, message) ->
            assertThatThrownBy(() -> command(json)).as(json).hasMessageContaining(message));
  }

  @Test
  void avroBytesAreNotReadAsJsonNorJsonAsAvro() throws Exception {
    TargetCommand c =
        TargetCommand.newBuilder()
            .setCommandId("c")
            .setType(CommandType.REMOVE)
            .setTarget("t")
            .build();
    assertThatThrownBy(
            () ->
                RecordFormat.JSON.decodeStrictly(RecordFormat.AVRO.encode(c), TargetCommand.class))
        .isInstanceOf(IOException.class);
    assertThatThrownBy(
            () ->
                RecordFormat.AVRO.decodeStrictly(RecordFormat.JSON.encode(c), TargetCommand.class))
        .isInstanceOf(Exception.class);
  }
}
