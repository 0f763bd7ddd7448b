package io.nagselector.demo;

import io.nagselector.avro.DuplicateDocument;
import io.nagselector.avro.DuplicateKind;
import io.nagselector.avro.SelectedDocument;
import io.nagselector.config.ConfigKeys;
import io.nagselector.config.JobConfig;
import io.nagselector.control.ControlClient;
import io.nagselector.io.RecordFormat;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

/** Follows the job's committed outputs and counts them into a {@link DemoProgress}. */
final class DemoWatcher implements AutoCloseable {
  private final KafkaConsumer<byte[], byte[]> consumer;
  private final String features;
  private final String duplicates;
  private final String deadLetters;
  private final String selected;
  private final DemoProgress progress;

  DemoWatcher(JobConfig c, DemoProgress progress) {
    this.progress = progress;
    features = c.get(ConfigKeys.KAFKA_TOPICS_FEATURES);
    duplicates = c.get(ConfigKeys.KAFKA_TOPICS_DUPLICATES);
    deadLetters = c.get(ConfigKeys.KAFKA_TOPICS_DEAD_LETTER);
    selected = c.get(ConfigKeys.KAFKA_TOPICS_SELECTED);
    consumer = ControlClient.committedReader(c);
    List<TopicPartition> partitions = new ArrayList<>();
    for (String topic : List.of(features, duplicates, deadLetters, selected)) {
      consumer
          .partitionsFor(topic)
          .forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
    }
    consumer.assign(partitions);
    consumer.seekToBeginning(partitions);
  }

  void poll(Duration timeout) throws IOException {
    for (ConsumerRecord<byte[], byte[]> r : consumer.poll(timeout)) {
      String topic = r.topic();
      if (topic.equals(features)) {
        progress.extracted++;
      } else if (topic.equals(duplicates)) {
        if (RecordFormat.decode(r.value(), DuplicateDocument.class).getKind()
            == DuplicateKind.NEAR) {
          progress.nearDuplicates++;
        } else {
          progress.duplicates++;
        }
      } else if (topic.equals(deadLetters)) {
        progress.deadLetters++;
      } else if (topic.equals(selected)) {
        SelectedDocument s = RecordFormat.decode(r.value(), SelectedDocument.class);
        progress.accepted(s.getTarget(), s.getTargetVersion());
      }
    }
  }

  @Override
  public void close() {
    consumer.close();
  }
}
