package io.nagselector.rank;

import io.nagselector.io.BadRowReason;
import java.nio.file.Path;
import java.util.Map;

/** What a {@code rank} run read, joined, left out and selected. */
public record RankReport(
    long targetExamples,
    String profileFingerprint,
    long poolFeatureRows,
    long poolPayloadRows,
    long joined,
    long featuresWithoutPayload,
    long payloadWithoutFeatures,
    long missingQuality,
    long totalTokens,
    long budget,
    int selected,
    long selectedTokens,
    Map<BadRowReason, Long> badRows,
    Path rejectedFile) {

  public long badRowCount() {
    return badRows.values().stream().mapToLong(Long::longValue).sum();
  }
}
