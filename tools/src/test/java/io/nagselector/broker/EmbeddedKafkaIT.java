package io.nagselector.broker;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/** The in-process broker: transactions work and read_committed consumers see only commits. */
class EmbeddedKafkaIT {

  @Test
  void committedTransactionsAreVisibleAndAbortedOnesAreNot() throws Exception {
    try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
      kafka.createTopics(Map.of("t", 2), List.of());
      Map<String, Object> producerConfig =
          Map.of(
              ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
              kafka.bootstrapServers(),
              ProducerConfig.TRANSACTIONAL_ID_CONFIG,
              "tx-" + UUID.randomUUID(),
              ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG,
              StringSerializer.class,
              ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG,
              StringSerializer.class);
      try (KafkaProducer<String, String> producer = new KafkaProducer<>(producerConfig)) {
        producer.initTransactions();
        producer.beginTransaction();
        producer.send(new ProducerRecord<>("t", "k", "committed"));
        producer.commitTransaction();
        producer.beginTransaction();
        producer.send(new ProducerRecord<>("t", "k", "aborted"));
        producer.abortTransaction();
      }
      Map<String, Object> consumerConfig =
          Map.of(
              ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
              kafka.bootstrapServers(),
              ConsumerConfig.GROUP_ID_CONFIG,
              "g",
              ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
              "earliest",
              ConsumerConfig.ISOLATION_LEVEL_CONFIG,
              "read_committed",
              ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG,
              StringDeserializer.class,
              ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG,
              StringDeserializer.class);
      List<String> seen = new ArrayList<>();
      try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(consumerConfig)) {
        consumer.subscribe(List.of("t"));
        long deadline = System.currentTimeMillis() + 15_000;
        while (seen.isEmpty() && System.currentTimeMillis() < deadline) {
          for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
            seen.add(r.value());
          }
        }
        for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) {
          seen.add(r.value());
        }
      }
      assertThat(seen).containsExactly("committed");
    }
  }
}
