package io.nagselector.control;

import io.nagselector.pipeline.TargetDefinition;
import java.io.IOException;
import org.apache.flink.api.common.typeutils.CompositeTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * A {@link TargetUpdate} as one tag byte (0 upsert, 1 removal, 2 end of replay), then the upsert's
 * definition in Flink's record format, or the removal's name and version.
 */
public final class TargetUpdateSerializer extends TypeSerializer<TargetUpdate> {
  private static final byte UPSERT = 0;
  private static final byte REMOVAL = 1;
  private static final byte END_OF_REPLAY = 2;

  private final TypeSerializer<TargetDefinition> definitions;

  public TargetUpdateSerializer(TypeSerializer<TargetDefinition> definitions) {
    this.definitions = definitions;
  }

  @Override
  public boolean isImmutableType() {
    return false;
  }

  @Override
  public TypeSerializer<TargetUpdate> duplicate() {
    TypeSerializer<TargetDefinition> copy = definitions.duplicate();
    return copy == definitions ? this : new TargetUpdateSerializer(copy);
  }

  @Override
  public TargetUpdate createInstance() {
    return new TargetUpdate.EndOfReplay();
  }

  @Override
  public TargetUpdate copy(TargetUpdate from) {
    return from instanceof TargetUpdate.Upsert u
        ? new TargetUpdate.Upsert(definitions.copy(u.target()))
        : from;
  }

  @Override
  public TargetUpdate copy(TargetUpdate from, TargetUpdate reuse) {
    return copy(from);
  }

  @Override
  public int getLength() {
    return -1;
  }

  @Override
  public void serialize(TargetUpdate update, DataOutputView out) throws IOException {
    if (update instanceof TargetUpdate.Upsert u) {
      out.writeByte(UPSERT);
      definitions.serialize(u.target(), out);
    } else if (update instanceof TargetUpdate.Removal r) {
      out.writeByte(REMOVAL);
      out.writeUTF(r.name());
      out.writeInt(r.version());
    } else {
      out.writeByte(END_OF_REPLAY);
    }
  }

  @Override
  public TargetUpdate deserialize(DataInputView in) throws IOException {
    byte tag = in.readByte();
    return switch (tag) {
      case UPSERT -> new TargetUpdate.Upsert(definitions.deserialize(in));
      case REMOVAL -> new TargetUpdate.Removal(in.readUTF(), in.readInt());
      case END_OF_REPLAY -> new TargetUpdate.EndOfReplay();
      default -> throw new IOException("not a target update: tag " + tag);
    };
  }

  @Override
  public TargetUpdate deserialize(TargetUpdate reuse, DataInputView in) throws IOException {
    return deserialize(in);
  }

  @Override
  public void copy(DataInputView in, DataOutputView out) throws IOException {
    serialize(deserialize(in), out);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TargetUpdateSerializer s && s.definitions.equals(definitions);
  }

  @Override
  public int hashCode() {
    return definitions.hashCode();
  }

  @Override
  public TypeSerializerSnapshot<TargetUpdate> snapshotConfiguration() {
    return new Snapshot(this);
  }

  /** The serializer's format: version 1, and the definitions' own serializer nested. */
  public static final class Snapshot
      extends CompositeTypeSerializerSnapshot<TargetUpdate, TargetUpdateSerializer> {
    public Snapshot() {}

    Snapshot(TargetUpdateSerializer serializer) {
      super(serializer);
    }

    @Override
    protected int getCurrentOuterSnapshotVersion() {
      return 1;
    }

    @Override
    protected TypeSerializer<?>[] getNestedSerializers(TargetUpdateSerializer outer) {
      return new TypeSerializer<?>[] {outer.definitions};
    }

    @Override
    @SuppressWarnings("unchecked")
    protected TargetUpdateSerializer createOuterSerializerWithNestedSerializers(
        TypeSerializer<?>[] nested) {
      return new TargetUpdateSerializer((TypeSerializer<TargetDefinition>) nested[0]);
    }
  }
}
