package io.nagselector.kafka;

import io.nagselector.avro.ControlEvent;
import io.nagselector.avro.DeadLetter;
import io.nagselector.avro.DocumentFeature;
import io.nagselector.avro.DuplicateDocument;
import io.nagselector.avro.SelectedDocument;
import io.nagselector.avro.TargetState;
import io.nagselector.avro.TopKSnapshot;
import io.nagselector.io.RecordFormat;
import io.nagselector.pipeline.RawRecord;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.Properties;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.KafkaSourceBuilder;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;
import org.apache.kafka.clients.producer.ProducerRecord;

/** The job's Kafka sources and exactly-once sinks, in the configured {@link RecordFormat}. */
public final class KafkaWiring {
  /**
   * For sinks whose client properties carry no transaction.timeout.ms (the bounded backfill): below
   * a default broker's transaction.max.timeout.ms (15 min). The streaming job's comes from {@code
   * kafka.transaction-timeout}.
   */
  static final String TRANSACTION_TIMEOUT_MS = "120000";

  private KafkaWiring() {}

  /**
   * Reads the crawl topic as raw records (decoding happens in the job, where errors are data). A
   * start without state resumes from the offsets the group committed at its last checkpoint, so
   * documents already answered are not selected again; a new group starts at the beginning.
   */
  public static KafkaSource<RawRecord> crawlSource(
      Properties client, String topic, String groupId) {
    return raw(client, topic)
        .setGroupId(groupId)
        .setStartingOffsets(OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST))
        .build();
  }

  /**
   * Reads the control topic as raw records, from the beginning when the job starts without state:
   * replaying every command rebuilds the registry.
   */
  public static KafkaSource<RawRecord> controlSource(
      Properties client, String topic, String groupId) {
    return raw(client, topic)
        .setGroupId(groupId)
        .setStartingOffsets(OffsetsInitializer.earliest())
        .build();
  }

  /** Reads a topic from {@code start} to its end offsets when the job starts, committed only. */
  public static KafkaSource<RawRecord> boundedRawSource(
      Properties client, String topic, OffsetsInitializer start) {
    return raw(client, topic)
        .setStartingOffsets(start)
        .setBounded(OffsetsInitializer.latest())
        .build();
  }

  private static KafkaSourceBuilder<RawRecord> raw(Properties client, String topic) {
    return KafkaSource.<RawRecord>builder()
        .setProperties(client)
        .setTopics(topic)
        .setProperty("isolation.level", "read_committed")
        .setDeserializer(new RawDeserializer());
  }

  /** Writes records already encoded for their topics, exactly once. */
  public static KafkaSink<EncodedRecord> encodedSink(
      Properties client, String transactionalIdPrefix) {
    return transactional(
        client,
        transactionalIdPrefix,
        (r, context, timestamp) ->
            new ProducerRecord<>(r.topic(), null, timestamp, r.key(), r.value()));
  }

  public static KafkaSink<SelectedDocument> selectedSink(
      Properties client, RecordFormat format, String topic, String transactionalIdPrefix) {
    return sink(client, format, topic, transactionalIdPrefix + "-selected", d -> d.getId());
  }

  /** Top-k snapshots keyed by target, for a compacted topic. */
  public static KafkaSink<TopKSnapshot> topKSink(
      Properties client, RecordFormat format, String topic, String transactionalIdPrefix) {
    return sink(client, format, topic, transactionalIdPrefix + "-top-k", s -> s.getTarget());
  }

  /** Every extracted document's feature, keyed by doc id. */
  public static KafkaSink<DocumentFeature> featuresSink(
      Properties client, RecordFormat format, String topic, String transactionalIdPrefix) {
    return sink(client, format, topic, transactionalIdPrefix + "-features", f -> f.getId());
  }

  public static KafkaSink<DuplicateDocument> duplicatesSink(
      Properties client, RecordFormat format, String topic, String transactionalIdPrefix) {
    return sink(
        client, format, topic, transactionalIdPrefix + "-duplicates", d -> d.getDocument().getId());
  }

  public static KafkaSink<ControlEvent> controlEventsSink(
      Properties client, RecordFormat format, String topic, String transactionalIdPrefix) {
    return sink(client, format, topic, transactionalIdPrefix + "-events", e -> e.getTarget());
  }

  public static KafkaSink<TargetState> targetsSink(
      Properties client, RecordFormat format, String topic, String transactionalIdPrefix) {
    return sink(client, format, topic, transactionalIdPrefix + "-targets", s -> s.getName());
  }

  public static KafkaSink<DeadLetter> deadLetterSink(
      Properties client, RecordFormat format, String topic, String transactionalIdPrefix) {
    return sink(client, format, topic, transactionalIdPrefix + "-dead", d -> d.getDocId());
  }

  private interface KeyOf<T> extends Serializable {
    String key(T record);
  }

  private static <T extends SpecificRecordBase> KafkaSink<T> sink(
      Properties client,
      RecordFormat format,
      String topic,
      String transactionalIdPrefix,
      KeyOf<T> keyOf) {
    return transactional(client, transactionalIdPrefix, new EncodedRecords<>(topic, keyOf, format));
  }

  /** An exactly-once sink with the client's connection and security settings. */
  private static <T> KafkaSink<T> transactional(
      Properties client, String transactionalIdPrefix, KafkaRecordSerializationSchema<T> schema) {
    Properties producer = new Properties();
    producer.putAll(client);
    producer.putIfAbsent("transaction.timeout.ms", TRANSACTION_TIMEOUT_MS);
    return KafkaSink.<T>builder()
        .setBootstrapServers(client.getProperty("bootstrap.servers"))
        .setKafkaProducerConfig(producer)
        .setRecordSerializer(schema)
        .setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
        .setTransactionalIdPrefix(transactionalIdPrefix)
        .build();
  }

  /** Key: the record's doc id (or target); value: the record in the output format. */
  private static final class EncodedRecords<T extends SpecificRecordBase>
      implements KafkaRecordSerializationSchema<T> {
    private final String topic;
    private final KeyOf<T> keyOf;
    private final RecordFormat format;

    EncodedRecords(String topic, KeyOf<T> keyOf, RecordFormat format) {
      this.topic = topic;
      this.keyOf = keyOf;
      this.format = format;
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(
        T record, KafkaSinkContext context, Long timestamp) {
      String key = keyOf.key(record);
      return new ProducerRecord<>(
          topic,
          null,
          timestamp,
          key == null ? null : key.getBytes(StandardCharsets.UTF_8),
          format.encode(record));
    }
  }

  private static final class RawDeserializer
      implements KafkaRecordDeserializationSchema<RawRecord> {
    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<RawRecord> out) {
      out.collect(
          new RawRecord(record.topic(), record.partition(), record.offset(), record.value()));
    }

    @Override
    public TypeInformation<RawRecord> getProducedType() {
      return TypeInformation.of(RawRecord.class);
    }
  }
}
