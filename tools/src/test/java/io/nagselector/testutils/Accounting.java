package io.nagselector.testutils;

import io.nagselector.avro.DeadLetter;
import io.nagselector.avro.DocumentFeature;
import io.nagselector.avro.DuplicateDocument;
import io.nagselector.avro.SelectedDocument;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.assertj.core.api.Assertions;

/**
 * The fault tests' accounting: what the job committed for each document sent, and the row each
 * prints (in, accounted, lost, duplicated).
 */
public final class Accounting {
  private Accounting() {}

  /**
   * Counts, per doc id, what the job committed for it on the topics subscribed: selected (or, on
   * the features topic, scored), skipped as a duplicate, or dead-lettered; until {@code until} ids
   * or {@code max} time.
   */
  public static void pollAccounted(
      KafkaConsumer<byte[], byte[]> consumer, Map<String, Integer> seen, int until, Duration max)
      throws Exception {
    long deadline = System.currentTimeMillis() + max.toMillis();
    while (seen.size() < until && System.currentTimeMillis() < deadline) {
      for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(300))) {
        String id =
            switch (r.topic()) {
              case "selected" -> SelectedDocument.getDecoder().decode(r.value()).getId();
              case "duplicates" ->
                  DuplicateDocument.getDecoder().decode(r.value()).getDocument().getId();
              case "features" -> DocumentFeature.getDecoder().decode(r.value()).getId();
              default -> DeadLetter.getDecoder().decode(r.value()).getDocId();
            };
        seen.merge(id, 1, Integer::sum);
      }
    }
  }

  /**
   * After the job stopped (nothing more commits): counts every committed record not read yet, up to
   * the end offsets of the consumer's partitions; a record read twice would show up here.
   */
  public static void pollAccountedToEnd(
      KafkaConsumer<byte[], byte[]> consumer, Map<String, Integer> seen) throws Exception {
    Map<TopicPartition, Long> end = consumer.endOffsets(consumer.assignment());
    while (end.entrySet().stream().anyMatch(e -> consumer.position(e.getKey()) < e.getValue())) {
      pollAccounted(consumer, seen, Integer.MAX_VALUE, Duration.ofMillis(300));
    }
  }

  /** Prints the fault's row (in, accounted, lost, duplicated) and requires 0 lost, 0 duplicated. */
  public static void assertAccountedOnce(
      String fault, List<String> sent, Map<String, Integer> accounted) {
    long lost = sent.stream().filter(id -> !accounted.containsKey(id)).count();
    long duplicated = accounted.values().stream().filter(n -> n > 1).count();
    System.out.printf(
        "%-40s %6s %10s %5s %11s%n%-40s %6d %10d %5d %11d%n",
        "fault",
        "in",
        "accounted",
        "lost",
        "duplicated",
        fault,
        sent.size(),
        accounted.size(),
        lost,
        duplicated);
    Assertions.assertThat(lost).as(fault + ": lost").isZero();
    Assertions.assertThat(duplicated).as(fault + ": duplicated").isZero();
  }
}
