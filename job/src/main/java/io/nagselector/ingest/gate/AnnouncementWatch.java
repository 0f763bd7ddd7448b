package io.nagselector.ingest.gate;

import io.nagselector.avro.ControlEvent;
import io.nagselector.config.KafkaClientConfig;
import io.nagselector.control.ReplayAnnouncement;
import io.nagselector.io.RecordFormat;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;

/**
 * Reads the control-events topic, committed records only, from given offsets on, for the {@link
 * ReplayAnnouncement}. Once it has seen one it answers true without Kafka.
 */
final class AnnouncementWatch implements AutoCloseable {
  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  private final Properties client;
  private final String topic;
  private final Map<Integer, Long> from;
  private KafkaConsumer<byte[], byte[]> consumer;
  private boolean seen;

  AnnouncementWatch(Properties client, String topic, Map<Integer, Long> from) {
    this.client = client;
    this.topic = topic;
    this.from = Map.copyOf(from);
  }

  /**
   * Where the topic ends now, per partition, for committed records: an announcement written later
   * lies at or after these offsets.
   */
  static Map<Integer, Long> end(Properties client, String topic) {
    try (KafkaConsumer<byte[], byte[]> c = KafkaClientConfig.committedReader(client)) {
      List<TopicPartition> partitions = new ArrayList<>();
      for (PartitionInfo p : c.partitionsFor(topic, TIMEOUT)) {
        partitions.add(new TopicPartition(topic, p.partition()));
      }
      if (partitions.isEmpty()) {
        throw new IllegalStateException(
            "kafka.topics.control-events '"
                + topic
                + "' has no partitions: the crawl source waits for the control topic's replay to"
                + " be announced there");
      }
      Map<Integer, Long> end = new HashMap<>();
      c.endOffsets(partitions, TIMEOUT).forEach((p, offset) -> end.put(p.partition(), offset));
      return end;
    }
  }

  /** Whether the announcement has been committed; reads what arrived since the last call. */
  synchronized boolean announced() {
    if (seen) {
      return true;
    }
    if (consumer == null) {
      consumer = KafkaClientConfig.committedReader(client);
      List<TopicPartition> partitions = new ArrayList<>();
      from.keySet().forEach(p -> partitions.add(new TopicPartition(topic, p)));
      consumer.assign(partitions);
      from.forEach((p, offset) -> consumer.seek(new TopicPartition(topic, p), offset));
    }
    for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
      seen |= isAnnouncement(r.value());
    }
    if (seen) {
      close();
    }
    return seen;
  }

  private static boolean isAnnouncement(byte[] value) {
    try {
      return value != null && ReplayAnnouncement.is(RecordFormat.decode(value, ControlEvent.class));
    } catch (Exception e) {
      return false; // not ours to judge: another writer's record
    }
  }

  @Override
  public synchronized void close() {
    if (consumer != null) {
      consumer.close(Duration.ofSeconds(5));
      consumer = null;
    }
  }
}
