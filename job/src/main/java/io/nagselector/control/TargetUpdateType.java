package io.nagselector.control;

import io.nagselector.pipeline.TargetDefinition;
import org.apache.flink.api.common.serialization.SerializerConfig;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;

/** Flink's type information for {@link TargetUpdate}: a tag, then what the update carries. */
final class TargetUpdateType extends TypeInformation<TargetUpdate> {
  @Override
  public boolean isBasicType() {
    return false;
  }

  @Override
  public boolean isTupleType() {
    return false;
  }

  @Override
  public int getArity() {
    return 1;
  }

  @Override
  public int getTotalFields() {
    return 1;
  }

  @Override
  public Class<TargetUpdate> getTypeClass() {
    return TargetUpdate.class;
  }

  @Override
  public boolean isKeyType() {
    return false;
  }

  @Override
  public TypeSerializer<TargetUpdate> createSerializer(SerializerConfig config) {
    return new TargetUpdateSerializer(
        TypeInformation.of(TargetDefinition.class).createSerializer(config));
  }

  @Override
  public String toString() {
    return "TargetUpdate";
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TargetUpdateType;
  }

  @Override
  public int hashCode() {
    return TargetUpdateType.class.hashCode();
  }

  @Override
  public boolean canEqual(Object o) {
    return o instanceof TargetUpdateType;
  }
}
