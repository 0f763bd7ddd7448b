package io.nagselector.ingest.gate;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import org.apache.flink.connector.kafka.source.enumerator.KafkaSourceEnumState;
import org.apache.flink.core.io.SimpleVersionedSerializer;

/**
 * {@link GateState} as the gate's fields followed by Kafka's enumerator state in Kafka's own
 * format. Its version is {@link #OFFSET} plus Kafka's, so that a version below {@link #OFFSET} is a
 * plain Kafka state, written by a build without the gate: that job had replayed long ago, so its
 * gate is open.
 */
public final class GateStateSerializer implements SimpleVersionedSerializer<GateState> {
  static final int OFFSET = 1000;

  private final SimpleVersionedSerializer<KafkaSourceEnumState> kafka;

  public GateStateSerializer(SimpleVersionedSerializer<KafkaSourceEnumState> kafka) {
    this.kafka = kafka;
  }

  @Override
  public int getVersion() {
    return OFFSET + kafka.getVersion();
  }

  @Override
  public byte[] serialize(GateState state) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    DataOutputStream out = new DataOutputStream(bytes);
    out.writeBoolean(state.open());
    out.writeInt(state.from().size());
    for (Map.Entry<Integer, Long> e : state.from().entrySet()) {
      out.writeInt(e.getKey());
      out.writeLong(e.getValue());
    }
    byte[] inner = kafka.serialize(state.kafka());
    out.writeInt(inner.length);
    out.write(inner);
    out.flush();
    return bytes.toByteArray();
  }

  @Override
  public GateState deserialize(int version, byte[] serialized) throws IOException {
    if (version < OFFSET) {
      return new GateState(kafka.deserialize(version, serialized), true, Map.of());
    }
    DataInputStream in = new DataInputStream(new ByteArrayInputStream(serialized));
    boolean open = in.readBoolean();
    int partitions = in.readInt();
    Map<Integer, Long> from = new HashMap<>();
    for (int i = 0; i < partitions; i++) {
      from.put(in.readInt(), in.readLong());
    }
    byte[] inner = new byte[in.readInt()];
    in.readFully(inner);
    return new GateState(kafka.deserialize(version - OFFSET, inner), open, from);
  }
}
