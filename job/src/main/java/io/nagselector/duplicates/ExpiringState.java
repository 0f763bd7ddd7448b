package io.nagselector.duplicates;

import java.time.Duration;
import org.apache.flink.api.common.state.StateTtlConfig;

/**
 * Flink's state TTL as the dedupe stages use it: an entry expires {@code ttl} after it was written,
 * is never read once expired, and is dropped by RocksDB's compaction filter (incrementally on a
 * heap backend), so that no entry needs a timer of its own.
 */
public final class ExpiringState {
  /** How many entries the compaction filter reads between refreshes of its current time. */
  private static final int COMPACTION_QUERY_INTERVAL = 1000;

  private ExpiringState() {}

  public static StateTtlConfig after(Duration ttl) {
    if (ttl.isNegative() || ttl.isZero()) {
      throw new IllegalArgumentException("a state TTL must be positive, got " + ttl);
    }
    return StateTtlConfig.newBuilder(ttl)
        .setUpdateType(StateTtlConfig.UpdateType.OnCreateAndWrite)
        .setStateVisibility(StateTtlConfig.StateVisibility.NeverReturnExpired)
        .cleanupInRocksdbCompactFilter(COMPACTION_QUERY_INTERVAL)
        .cleanupIncrementally(10, false)
        .build();
  }
}
