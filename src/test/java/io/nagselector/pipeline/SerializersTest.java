package io.nagselector.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.java.typeutils.PojoTypeInfo;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamGraph;
import org.apache.flink.streaming.api.graph.StreamNode;
import org.junit.jupiter.api.Test;

/**
 * Every record between operators and every piece of state has an explicit serializer that can
 * evolve: Flink's record (POJO) serializer or Avro's; nothing falls back to Kryo or Java
 * serialization, and the job refuses generic types at build time.
 */
class SerializersTest {
  private static StreamGraph jobGraph() {
    JobConfig c = JobConfig.load(Path.of("config/local.yaml"), Map.of());
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    SelectorApp.assemble(env, c, "fp");
    return env.getStreamGraph();
  }

  @Test
  void theJobRefusesGenericTypesAndUsesNone() {
    StreamGraph graph = jobGraph();
    assertThat(graph.getExecutionConfig().getSerializerConfig().hasGenericTypesDisabled()).isTrue();
    List<String> kryo = new ArrayList<>();
    for (StreamNode node : graph.getStreamNodes()) {
      List<TypeSerializer<?>> serializers = new ArrayList<>(List.of(node.getTypeSerializersIn()));
      serializers.add(node.getTypeSerializerOut());
      for (TypeSerializer<?> s : serializers) {
        if (s != null && s.getClass().getName().contains("Kryo")) {
          kryo.add(node.getOperatorName() + ": " + s);
        }
      }
    }
    assertThat(kryo).isEmpty();
  }

  @Test
  void aGenericTypeFailsWithGenericTypesOff() {
    StreamGraph graph = jobGraph();
    MapStateDescriptor<String, Object> generic =
        new MapStateDescriptor<>("x", Types.STRING, Types.GENERIC(Object.class));
    assertThatThrownBy(() -> generic.initializeSerializerUnlessSet(graph.getExecutionConfig()))
        .hasMessageContaining("Generic types have been disabled");
  }

  @Test
  void stateRecordsAreRecordTypesWhoseSchemaCanEvolve() {
    for (Class<?> state :
        List.of(
            TargetDefinition.class,
            TargetProtocol.State.class,
            ShardState.class,
            HeldDocument.class,
            ShardTopK.class,
            FractionSketches.Entry.class)) {
      assertThat(TypeInformation.of(state))
          .as(state.getSimpleName())
          .isInstanceOf(PojoTypeInfo.class);
    }
  }
}
