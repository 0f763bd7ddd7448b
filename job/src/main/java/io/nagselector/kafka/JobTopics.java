package io.nagselector.kafka;

import io.nagselector.config.ConfigKey;
import io.nagselector.config.ConfigKeys;
import io.nagselector.config.JobConfig;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The topics the configured job reads and writes, and how an embedded broker creates them: the
 * crawl with 2 partitions, the others with one, top-k and targets compacted.
 */
public record JobTopics(Map<String, Integer> partitions, List<String> compacted) {
  /** Every topic the configured job reads or writes (optional ones when set). */
  public static Set<String> of(JobConfig c) {
    Set<String> topics = new TreeSet<>();
    for (ConfigKey<String> key :
        List.of(
            ConfigKeys.KAFKA_TOPICS_CRAWL,
            ConfigKeys.KAFKA_TOPICS_CONTROL,
            ConfigKeys.KAFKA_TOPICS_CONTROL_EVENTS,
            ConfigKeys.KAFKA_TOPICS_TARGETS,
            ConfigKeys.KAFKA_TOPICS_SELECTED,
            ConfigKeys.KAFKA_TOPICS_DEAD_LETTER,
            ConfigKeys.KAFKA_TOPICS_TOP_K,
            ConfigKeys.KAFKA_TOPICS_FEATURES,
            ConfigKeys.KAFKA_TOPICS_DUPLICATES)) {
      String topic = c.get(key);
      if (!topic.isEmpty()) {
        topics.add(topic);
      }
    }
    return topics;
  }

  /** What an embedded broker creates for the configured job, plus {@code more}. */
  public static JobTopics toCreate(JobConfig c, String... more) {
    Map<String, Integer> partitions = new HashMap<>();
    of(c).forEach(topic -> partitions.put(topic, 1));
    partitions.put(c.get(ConfigKeys.KAFKA_TOPICS_CRAWL), 2);
    for (String topic : more) {
      partitions.put(topic, 1);
    }
    return new JobTopics(
        partitions,
        List.of(c.get(ConfigKeys.KAFKA_TOPICS_TOP_K), c.get(ConfigKeys.KAFKA_TOPICS_TARGETS)));
  }
}
