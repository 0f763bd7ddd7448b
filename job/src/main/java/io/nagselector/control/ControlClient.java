package io.nagselector.control;

import io.nagselector.avro.ControlEvent;
import io.nagselector.avro.TargetCommand;
import io.nagselector.avro.TargetState;
import io.nagselector.avro.TopKSnapshot;
import io.nagselector.config.ConfigKeys;
import io.nagselector.config.JobConfig;
import io.nagselector.config.KafkaClientConfig;
import io.nagselector.io.RecordFormat;
import io.nagselector.io.UserInputException;
import io.nagselector.kafka.TopicReader;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * A running job's control path, as a client: sends target commands to the control topic (keyed by
 * target, through an idempotent producer) and waits for the job's answers on control-events, which
 * it reads from where that topic ended when the client opened. The one client of the `target`
 * commands, the demo and the tests.
 */
public final class ControlClient implements AutoCloseable {
  private final JobConfig config;
  private final KafkaProducer<byte[], byte[]> producer;
  private final KafkaConsumer<byte[], byte[]> answers;
  private final Map<String, ControlEvent> received = new HashMap<>();

  private ControlClient(JobConfig config) {
    this.config = config;
    this.answers = reader(config, config.get(ConfigKeys.KAFKA_TOPICS_CONTROL_EVENTS), false);
    this.producer =
        new KafkaProducer<>(
            KafkaClientConfig.with(KafkaClientConfig.of(config), "enable.idempotence", "true"),
            new ByteArraySerializer(),
            new ByteArraySerializer());
  }

  /** A client of the job that {@code config} describes. */
  public static ControlClient open(JobConfig config) {
    return new ControlClient(config);
  }

  /**
   * Sends {@code command}, with a new command id and the time unless it has them; returns its id
   * once the broker has it.
   */
  public String send(TargetCommand.Builder command) {
    if (!command.hasCommandId() || command.getCommandId().isBlank()) {
      command.setCommandId(UUID.randomUUID().toString());
    }
    if (!command.hasIssuedAt() || command.getIssuedAt() == null) {
      command.setIssuedAt(Instant.now());
    }
    TargetCommand built = command.build();
    try {
      producer
          .send(
              new ProducerRecord<>(
                  config.get(ConfigKeys.KAFKA_TOPICS_CONTROL),
                  built.getTarget().getBytes(StandardCharsets.UTF_8),
                  config.controlFormat().encode(built)))
          .get();
    } catch (ExecutionException e) {
      throw new IllegalStateException(
          "cannot send command "
              + built.getCommandId()
              + " to "
              + config.get(ConfigKeys.KAFKA_TOPICS_CONTROL)
              + ": "
              + e.getCause(),
          e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
    return built.getCommandId();
  }

  /** The job's answer to command {@code id}; fails naming the command after {@code timeout}. */
  public ControlEvent await(String id, Duration timeout) {
    return awaitAll(List.of(id), timeout).get(0);
  }

  /** The job's answers to the commands {@code ids}, in that order. */
  public List<ControlEvent> awaitAll(List<String> ids, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!received.keySet().containsAll(ids)) {
      if (System.nanoTime() > deadline) {
        List<String> missing = new ArrayList<>(ids);
        missing.removeAll(received.keySet());
        throw new UserInputException(
            "no answer to command "
                + String.join(", ", missing)
                + " within "
                + timeout.toSeconds()
                + " s (is the job running?)");
      }
      for (ConsumerRecord<byte[], byte[]> r : answers.poll(Duration.ofMillis(200))) {
        ControlEvent e = decode(r.value());
        if (e != null) {
          received.put(e.getCommandId(), e);
        }
      }
    }
    return ids.stream().map(received::get).toList();
  }

  private static ControlEvent decode(byte[] value) {
    try {
      return RecordFormat.decode(value, ControlEvent.class);
    } catch (IOException e) {
      return null; // not an answer of this job's schema: not ours to wait for
    }
  }

  /**
   * A read_committed consumer of {@code topic}, assigned every partition, at its beginning or at
   * its end (fixed before anything is sent).
   */
  public static KafkaConsumer<byte[], byte[]> reader(
      JobConfig c, String topic, boolean fromBeginning) {
    KafkaConsumer<byte[], byte[]> consumer = committedReader(c);
    List<TopicPartition> partitions =
        consumer.partitionsFor(topic).stream()
            .map(p -> new TopicPartition(topic, p.partition()))
            .toList();
    if (partitions.isEmpty()) {
      consumer.close();
      throw new UserInputException(
          "topic " + topic + " does not exist at " + c.get(ConfigKeys.KAFKA_BOOTSTRAP_SERVERS));
    }
    consumer.assign(partitions);
    if (fromBeginning) {
      consumer.seekToBeginning(partitions);
    } else {
      consumer.seekToEnd(partitions);
      partitions.forEach(consumer::position);
    }
    return consumer;
  }

  /** A consumer of committed records only, without a group: the caller assigns partitions. */
  public static KafkaConsumer<byte[], byte[]> committedReader(JobConfig c) {
    return new KafkaConsumer<>(
        KafkaClientConfig.with(
            KafkaClientConfig.of(c),
            "isolation.level",
            "read_committed",
            "enable.auto.commit",
            "false"),
        new ByteArrayDeserializer(),
        new ByteArrayDeserializer());
  }

  /** Waits until control-events holds an answer to every command id of the control topic. */
  public static void awaitEveryCommandAnswered(JobConfig c, Duration timeout) throws Exception {
    Set<String> sent = new HashSet<>();
    TopicReader.readAll(
        KafkaClientConfig.of(c),
        c.get(ConfigKeys.KAFKA_TOPICS_CONTROL),
        r -> {
          try {
            String id = RecordFormat.decode(r.value(), TargetCommand.class).getCommandId();
            if (id != null && !id.isBlank()) {
              sent.add(id);
            }
          } catch (IOException | RuntimeException notACommand) {
            // dead-lettered by the job: no answer will come
          }
        });
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      Set<String> waiting = new HashSet<>(sent);
      TopicReader.readAll(
          KafkaClientConfig.of(c),
          c.get(ConfigKeys.KAFKA_TOPICS_CONTROL_EVENTS),
          r -> waiting.remove(RecordFormat.decode(r.value(), ControlEvent.class).getCommandId()));
      if (waiting.isEmpty()) {
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new UserInputException(
            "the job has not answered "
                + waiting.size()
                + " of the control topic's commands within "
                + timeout.toSeconds()
                + " s (is it running?)");
      }
      Thread.sleep(500);
    }
  }

  private interface Decoder<T> {
    T decode(byte[] bytes) throws IOException;
  }

  /** The last committed record of every key of a topic. */
  private static <T> Map<String, T> latest(JobConfig c, String topic, Decoder<T> decoder)
      throws IOException {
    Map<String, T> latest = new HashMap<>();
    try {
      TopicReader.readAll(
          KafkaClientConfig.of(c),
          topic,
          r -> {
            if (r.key() != null && r.value() != null) {
              latest.put(new String(r.key(), StandardCharsets.UTF_8), decoder.decode(r.value()));
            }
          });
    } catch (IOException | RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
    return latest;
  }

  /** The latest record of every target on the compacted targets topic, by name. */
  public static Map<String, TargetState> targets(JobConfig c) throws IOException {
    return latest(
        c, c.get(ConfigKeys.KAFKA_TOPICS_TARGETS), v -> RecordFormat.decode(v, TargetState.class));
  }

  /** The latest published top-k of every target, by name. */
  public static Map<String, TopKSnapshot> topK(JobConfig c) throws IOException {
    return latest(
        c, c.get(ConfigKeys.KAFKA_TOPICS_TOP_K), v -> RecordFormat.decode(v, TopKSnapshot.class));
  }

  /** A consumer of the control-events topic, at its end unless {@code fromBeginning}. */
  public static KafkaConsumer<byte[], byte[]> events(JobConfig c, boolean fromBeginning) {
    return reader(c, c.get(ConfigKeys.KAFKA_TOPICS_CONTROL_EVENTS), fromBeginning);
  }

  private static byte[] bytes(ByteBuffer b) {
    byte[] out = new byte[b.remaining()];
    b.get(out);
    return out;
  }

  @Override
  public void close() {
    producer.close();
    answers.close();
  }
}
