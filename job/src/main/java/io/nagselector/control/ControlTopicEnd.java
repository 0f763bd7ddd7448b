package io.nagselector.control;

import io.nagselector.config.KafkaClientConfig;
import io.nagselector.io.UserInputException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;

/**
 * Where the control topic ends when the job is built: per partition, the offset of its last
 * committed record (transaction markers and aborted records take offsets too, so this is not simply
 * the end offset minus one). A partition without a record is left out. A job that starts without
 * state holds every crawl document until it has replayed these records.
 */
public final class ControlTopicEnd {
  private static final int WINDOW = 500;
  private static final Duration POLL = Duration.ofSeconds(30);

  private ControlTopicEnd() {}

  public static Map<Integer, Long> lastRecordOffsets(Properties client, String topic) {
    try {
      return read(client, topic);
    } catch (KafkaException e) {
      throw new UserInputException(
          "kafka.topics.control '"
              + topic
              + "': cannot read where it ends, to replay it before scoring: "
              + e.getMessage(),
          e);
    }
  }

  private static Map<Integer, Long> read(Properties client, String topic) {
    Map<Integer, Long> last = new HashMap<>();
    try (KafkaConsumer<byte[], byte[]> consumer = KafkaClientConfig.committedReader(client)) {
      List<TopicPartition> partitions = new ArrayList<>();
      for (PartitionInfo p : consumer.partitionsFor(topic, POLL)) {
        partitions.add(new TopicPartition(topic, p.partition()));
      }
      Map<TopicPartition, Long> begin = consumer.beginningOffsets(partitions, POLL);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions, POLL);
      for (TopicPartition p : partitions) {
        long offset = lastRecord(consumer, p, begin.get(p), end.get(p));
        if (offset >= 0) {
          last.put(p.partition(), offset);
        }
      }
    }
    return last;
  }

  /** The last record's offset in [begin, end), reading back in windows; -1 if there is none. */
  private static long lastRecord(
      KafkaConsumer<byte[], byte[]> consumer, TopicPartition p, long begin, long end) {
    consumer.assign(List.of(p));
    for (long to = end; to > begin; to = Math.max(begin, to - WINDOW)) {
      long from = Math.max(begin, to - WINDOW);
      consumer.seek(p, from);
      long last = -1;
      long deadline = System.nanoTime() + POLL.toNanos();
      while (consumer.position(p) < to && System.nanoTime() < deadline) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          if (r.offset() < to) {
            last = Math.max(last, r.offset());
          }
        }
      }
      if (last >= 0) {
        return last;
      }
      if (from == begin) {
        break;
      }
    }
    return -1;
  }
}
