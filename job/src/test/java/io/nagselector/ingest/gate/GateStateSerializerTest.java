package io.nagselector.ingest.gate;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.apache.flink.connector.kafka.source.enumerator.KafkaSourceEnumState;
import org.apache.flink.connector.kafka.source.enumerator.KafkaSourceEnumStateSerializer;
import org.apache.flink.connector.kafka.source.split.KafkaPartitionSplit;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class GateStateSerializerTest {
  private final KafkaSourceEnumStateSerializer kafka = new KafkaSourceEnumStateSerializer();
  private final GateStateSerializer serializer = new GateStateSerializer(kafka);

  private static KafkaSourceEnumState kafkaState() {
    return new KafkaSourceEnumState(
        List.of(new KafkaPartitionSplit(new TopicPartition("crawl", 0), 17L)),
        List.of(new KafkaPartitionSplit(new TopicPartition("crawl", 1), 4L)),
        true);
  }

  @Test
  void aClosedGateKeepsWhereItWatchesFromAndKafkasState() throws Exception {
    GateState state = new GateState(kafkaState(), false, Map.of(0, 12L, 2, 40L));
    GateState back = serializer.deserialize(serializer.getVersion(), serializer.serialize(state));
    assertThat(back.open()).isFalse();
    assertThat(back.from()).isEqualTo(Map.of(0, 12L, 2, 40L));
    assertThat(back.kafka().assignedSplits())
        .extracting(KafkaPartitionSplit::getTopicPartition, KafkaPartitionSplit::getStartingOffset)
        .containsExactly(org.assertj.core.groups.Tuple.tuple(new TopicPartition("crawl", 0), 17L));
    assertThat(back.kafka().unassignedSplits())
        .extracting(KafkaPartitionSplit::getTopicPartition)
        .containsExactly(new TopicPartition("crawl", 1));
    assertThat(back.kafka().initialDiscoveryFinished()).isTrue();
  }

  @Test
  void anOpenGateStaysOpen() throws Exception {
    GateState state = new GateState(kafkaState(), true, Map.of());
    assertThat(serializer.deserialize(serializer.getVersion(), serializer.serialize(state)).open())
        .isTrue();
  }

  @Test
  void aPlainKafkaStateFromABuildWithoutTheGateIsOpen() throws Exception {
    byte[] old = kafka.serialize(kafkaState());
    GateState back = serializer.deserialize(kafka.getVersion(), old);
    assertThat(back.open()).isTrue();
    assertThat(back.kafka().assignedSplits()).hasSize(1);
    assertThat(serializer.getVersion()).isEqualTo(GateStateSerializer.OFFSET + kafka.getVersion());
  }
}
