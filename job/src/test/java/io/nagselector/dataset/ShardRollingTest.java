package io.nagselector.dataset;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.apache.flink.streaming.api.functions.sink.filesystem.PartFileInfo;
import org.junit.jupiter.api.Test;

class ShardRollingTest {
  /** A part file of {@code size} bytes opened at {@code created}. */
  private static PartFileInfo<String> part(long size, long created) {
    return new PartFileInfo<>() {
      @Override
      public String getBucketId() {
        return "target=t/version=1/date=2026-12-01";
      }

      @Override
      public long getCreationTime() {
        return created;
      }

      @Override
      public long getSize() {
        return size;
      }

      @Override
      public long getLastUpdateTime() {
        return created;
      }
    };
  }

  @Test
  void aShardRollsAtItsSizeItsAgeAndEveryCheckpoint() throws Exception {
    ShardRolling rolling = new ShardRolling(1000, Duration.ofMinutes(60));
    assertThat(rolling.shouldRollOnEvent(part(999, 0), null)).isFalse();
    assertThat(rolling.shouldRollOnEvent(part(1000, 0), null)).isTrue();
    assertThat(rolling.shouldRollOnProcessingTime(part(10, 1_000), 1_000 + 3_599_999)).isFalse();
    assertThat(rolling.shouldRollOnProcessingTime(part(10, 1_000), 1_000 + 3_600_000)).isTrue();
    assertThat(rolling.shouldRollOnCheckpoint(part(1, 0))).isTrue();
  }
}
