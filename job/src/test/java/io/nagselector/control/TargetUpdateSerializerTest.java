package io.nagselector.control;

import static org.assertj.core.api.Assertions.assertThat;

import io.nagselector.pipeline.TargetDefinition;
import java.util.List;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

class TargetUpdateSerializerTest {
  private static final TypeSerializer<TargetUpdate> SERIALIZER =
      TargetUpdate.TYPE.createSerializer(new SerializerConfigImpl());

  private static TargetUpdate roundTrip(TargetUpdate update) throws Exception {
    DataOutputSerializer out = new DataOutputSerializer(64);
    SERIALIZER.serialize(update, out);
    return SERIALIZER.deserialize(new DataInputDeserializer(out.getCopyOfBuffer()));
  }

  @Test
  void eachKindOfUpdateComesBackAsItWent() throws Exception {
    TargetDefinition science =
        new TargetDefinition(
            "science",
            3,
            "fp",
            TargetDefinition.Policy.FRACTION,
            0.2,
            10,
            2,
            2,
            List.of(new int[] {1, 2, 3, 4}));
    TargetUpdate.Upsert upsert = (TargetUpdate.Upsert) roundTrip(new TargetUpdate.Upsert(science));
    assertThat(upsert.target().name()).isEqualTo("science");
    assertThat(upsert.target().version()).isEqualTo(3);
    assertThat(upsert.target().policyValue()).isEqualTo(0.2);
    assertThat(upsert.target().examples()).isDeepEqualTo(new int[][] {{1, 2, 3, 4}});
    assertThat(roundTrip(new TargetUpdate.Removal("science", 4)))
        .isEqualTo(new TargetUpdate.Removal("science", 4));
    assertThat(roundTrip(new TargetUpdate.EndOfReplay())).isEqualTo(new TargetUpdate.EndOfReplay());
    assertThat(new TargetUpdate.Removal("science", 4).name()).isEqualTo("science");
    assertThat(new TargetUpdate.EndOfReplay().name()).isEmpty();
  }

  @Test
  void itsSnapshotRestoresACompatibleSerializer() throws Exception {
    TypeSerializerSnapshot<TargetUpdate> snapshot = SERIALIZER.snapshotConfiguration();
    DataOutputSerializer out = new DataOutputSerializer(256);
    TypeSerializerSnapshot.writeVersionedSnapshot(out, snapshot);
    TypeSerializerSnapshot<TargetUpdate> read =
        TypeSerializerSnapshot.readVersionedSnapshot(
            new DataInputDeserializer(out.getCopyOfBuffer()), getClass().getClassLoader());
    assertThat(read.restoreSerializer()).isEqualTo(SERIALIZER);
    TypeSerializerSchemaCompatibility<TargetUpdate> compatibility =
        SERIALIZER.snapshotConfiguration().resolveSchemaCompatibility(read);
    assertThat(compatibility.isCompatibleAsIs()).isTrue();
  }
}
