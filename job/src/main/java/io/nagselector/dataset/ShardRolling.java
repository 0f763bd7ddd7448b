package io.nagselector.dataset;

import io.nagselector.avro.SelectedDocument;
import java.time.Duration;
import org.apache.flink.streaming.api.functions.sink.filesystem.PartFileInfo;
import org.apache.flink.streaming.api.functions.sink.filesystem.rollingpolicies.CheckpointRollingPolicy;

/**
 * A shard is finished on every checkpoint (a Parquet file cannot be resumed), and sooner when it
 * reaches {@code maxBytes} or has been open {@code maxAge}.
 */
final class ShardRolling extends CheckpointRollingPolicy<SelectedDocument, String> {
  private static final long serialVersionUID = 1L;

  private final long maxBytes;
  private final long maxAgeMillis;

  ShardRolling(long maxBytes, Duration maxAge) {
    this.maxBytes = maxBytes;
    this.maxAgeMillis = maxAge.toMillis();
  }

  @Override
  public boolean shouldRollOnEvent(PartFileInfo<String> part, SelectedDocument element)
      throws java.io.IOException {
    return part.getSize() >= maxBytes;
  }

  @Override
  public boolean shouldRollOnProcessingTime(PartFileInfo<String> part, long now) {
    return now - part.getCreationTime() >= maxAgeMillis;
  }
}
