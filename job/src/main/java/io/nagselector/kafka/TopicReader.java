package io.nagselector.kafka;

import io.nagselector.io.UserInputException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/** Reads a whole topic as it is now: every committed record up to the end offsets at the start. */
public final class TopicReader {
  /** What to do with one record; may throw (the reading stops). */
  public interface RecordHandler {
    void accept(ConsumerRecord<byte[], byte[]> record) throws Exception;
  }

  private TopicReader() {}

  /** {@code client}: the connection properties (bootstrap.servers, security). */
  public static void readAll(Properties client, String topic, RecordHandler handler)
      throws Exception {
    Map<String, Object> config = new HashMap<>();
    client.forEach((k, v) -> config.put((String) k, v));
    config.put("isolation.level", "read_committed");
    config.put("enable.auto.commit", "false");
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> partitions =
          consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
              .map(p -> new TopicPartition(topic, p.partition()))
              .toList();
      if (partitions.isEmpty()) {
        throw new UserInputException(
            "topic " + topic + " does not exist at " + client.getProperty("bootstrap.servers"));
      }
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
      while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(300))) {
          handler.accept(r);
        }
      }
    }
  }
}
