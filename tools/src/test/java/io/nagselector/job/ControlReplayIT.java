package io.nagselector.job;

import static io.nagselector.testutils.KafkaClients.bytes;
import static io.nagselector.testutils.KafkaClients.producer;
import static io.nagselector.testutils.KafkaClients.readCommitted;
import static org.assertj.core.api.Assertions.assertThat;

import io.nagselector.avro.CommandType;
import io.nagselector.avro.ControlEvent;
import io.nagselector.avro.PolicyKind;
import io.nagselector.avro.TargetCommand;
import io.nagselector.avro.TargetPolicy;
import io.nagselector.broker.EmbeddedKafka;
import io.nagselector.control.ReplayAnnouncement;
import io.nagselector.model.TinyCheckpoint;
import io.nagselector.testutils.Broker;
import io.nagselector.testutils.Jobs;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.flink.core.execution.JobClient;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A job started without state reads the control topic from the beginning: it must rebuild the
 * registry exactly (same answers, same versions), duplicated deliveries included.
 */
class ControlReplayIT extends PipelineIT {
  @RegisterExtension static final Broker BROKER = new Broker();

  @TempDir Path dir;

  private static byte[] command(String id, CommandType type, String target, Random rnd)
      throws Exception {
    TargetCommand.Builder c =
        TargetCommand.newBuilder().setCommandId(id).setType(type).setTarget(target);
    if (type == CommandType.UPSERT || type == CommandType.ADD_EXAMPLES) {
      c.setExampleTexts(List.of(TinyCheckpoint.randomText(rnd, 7)));
    }
    if (type == CommandType.UPSERT) {
      c.setPolicy(new TargetPolicy(PolicyKind.FRACTION, 0.3));
    }
    return bytes(TargetCommand.getEncoder().encode(c.build()));
  }

  private static List<String> events(KafkaConsumer<byte[], byte[]> consumer, int count, long millis)
      throws Exception {
    List<String> out = new ArrayList<>();
    long deadline = System.currentTimeMillis() + millis;
    while (out.size() < count && System.currentTimeMillis() < deadline) {
      for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(300))) {
        ControlEvent e = ControlEvent.getDecoder().decode(r.value());
        if (ReplayAnnouncement.is(e)) {
          continue; // answers no command (ReplayBeforeScoringIT checks it)
        }
        out.add(
            String.join(
                " ",
                e.getCommandId(),
                e.getStatus().toString(),
                String.valueOf(e.getVersion()),
                String.valueOf(e.getReason()),
                String.valueOf(e.getProfileFingerprint()),
                String.valueOf(e.getPaused())));
      }
    }
    return out;
  }

  @Test
  void aRestartWithoutStateRebuildsTheSameRegistry() throws Exception {
    Path model = TinyCheckpoint.decoder("qwen2", 6).write(dir.resolve("model"), "F32", 1);
    Random rnd = new Random(9);
    EmbeddedKafka kafka = BROKER.kafka();
    try (KafkaProducer<byte[], byte[]> producer = producer(kafka);
        KafkaConsumer<byte[], byte[]> consumer = readCommitted(kafka, "check")) {
      createJobTopics(kafka);
      consumer.subscribe(List.of("control-events"));
      List<byte[]> log =
          List.of(
              command("c1", CommandType.UPSERT, "sci", rnd),
              command("c2", CommandType.ADD_EXAMPLES, "sci", rnd),
              command("c3", CommandType.UPSERT, "cook", rnd),
              command("c4", CommandType.REMOVE, "cook", rnd),
              command("c5", CommandType.PAUSE, "sci", rnd),
              command("c6", CommandType.RESUME, "cook", rnd));
      for (byte[] c : log) {
        producer.send(new ProducerRecord<>("control", c));
      }
      producer.send(new ProducerRecord<>("control", log.get(1))); // delivered twice
      producer.flush();

      JobClient first = startJob(testConfig(kafka, model, dir.resolve("a"), "300ms"), null);
      List<String> answered = events(consumer, 6, 60_000);
      answered.addAll(events(consumer, Integer.MAX_VALUE, 1500)); // nothing more: c2 once
      Jobs.cancel(first);
      JobClient second = startJob(testConfig(kafka, model, dir.resolve("b"), "300ms"), null);
      List<String> replayed = events(consumer, 6, 60_000);
      Jobs.cancel(second);

      // targets are answered in parallel: order across targets is free, within one it is kept
      assertThat(answered).hasSize(6);
      assertThat(replayed).containsExactlyInAnyOrderElementsOf(answered);
      assertThat(answered.stream().sorted().toList())
          .extracting(e -> e.split(" ")[0] + " " + e.split(" ")[1] + " " + e.split(" ")[2])
          .containsExactly(
              "c1 APPLIED 1",
              "c2 APPLIED 2",
              "c3 APPLIED 1",
              "c4 APPLIED 2",
              "c5 APPLIED 2",
              "c6 REJECTED null");
    }
  }
}
