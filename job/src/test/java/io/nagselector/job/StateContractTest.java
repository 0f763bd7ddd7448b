package io.nagselector.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nagselector.config.JobConfig;
import io.nagselector.extract.SharedExtractor;
import io.nagselector.pipeline.FractionSketches;
import io.nagselector.pipeline.HeldDocument;
import io.nagselector.pipeline.SettledCount;
import io.nagselector.pipeline.ShardState;
import io.nagselector.pipeline.ShardTopK;
import io.nagselector.pipeline.TargetDefinition;
import io.nagselector.pipeline.TargetProtocol;
import io.nagselector.pipeline.UndecidedDocument;
import io.nagselector.select.FractionCandidate;
import io.nagselector.select.FractionVote;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
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
 * What a savepoint needs of the job: every record between operators and every piece of state has an
 * explicit serializer that can evolve (Flink's record serializer, or Avro's), nothing falls back to
 * Kryo or Java serialization, the job refuses generic types at build time, and every operator, the
 * sources' and sinks' included, has a stable uid.
 */
class StateContractTest {
  private static StreamGraph jobGraph() {
    JobConfig c = JobConfig.load(Path.of("config/local.yaml"), Map.of());
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    // as built over a control topic that holds one command: no broker needed
    SelectorApp.assemble(
        env, c, "fp", SharedExtractor.factory(SelectorApp.extractorSpec(c)), Map.of(0, 0L));
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
  void everyOperatorHasAStableUid() {
    List<String> without = new ArrayList<>();
    Set<String> uids = new TreeSet<>();
    for (StreamNode node : jobGraph().getStreamNodes()) {
      String uid = node.getTransformationUID();
      if (uid == null) {
        without.add(node.getOperatorName());
      } else {
        assertThat(uids.add(uid)).as("uid %s used once", uid).isTrue();
      }
    }
    assertThat(without).as("operators without a uid").isEmpty();
    assertThat(uids)
        .contains(
            "crawl-source",
            "control-source",
            "score-select",
            "settle-fractions",
            "selected-sink",
            "top-k-sink",
            "control-events-sink",
            "targets-sink",
            "dead-letter-sink");
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
            SettledCount.class,
            FractionSketches.Entry.class,
            UndecidedDocument.class,
            FractionVote.class,
            FractionCandidate.class)) {
      assertThat(TypeInformation.of(state))
          .as(state.getSimpleName())
          .isInstanceOf(PojoTypeInfo.class);
    }
  }
}
