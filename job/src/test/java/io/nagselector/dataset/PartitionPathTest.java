package io.nagselector.dataset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class PartitionPathTest {
  private static final Instant AT = Instant.parse("2026-12-01T07:59:59.999Z");

  @Test
  void theDefaultLayoutIsTargetVersionAndUtcDate() {
    assertThat(PartitionPath.DEFAULT.of("science", 3, AT))
        .isEqualTo("target=science/version=3/date=2026-12-01");
    assertThat(PartitionPath.parse("target, version ,DATE", "s")).isEqualTo(PartitionPath.DEFAULT);
  }

  @Test
  void fieldsComeInTheOrderGivenAndHoursHaveTwoDigits() {
    assertThat(PartitionPath.parse("date,hour,target", "s").of("code", 1, AT))
        .isEqualTo("date=2026-12-01/hour=07/target=code");
    assertThat(
            PartitionPath.parse("hour", "s").of("code", 1, Instant.parse("2026-12-01T23:00:00Z")))
        .isEqualTo("hour=23");
  }

  @Test
  void anUnknownRepeatedOrEmptyFieldIsRefusedNamingTheSetting() {
    assertThatThrownBy(() -> PartitionPath.parse("target,source", "dataset.partitioning"))
        .hasMessage(
            "dataset.partitioning: 'source' is not a partition field (target, version, date,"
                + " hour), in 'target,source'");
    assertThatThrownBy(() -> PartitionPath.parse("date,target,date", "dataset.partitioning"))
        .hasMessage("dataset.partitioning: 'date' twice in 'date,target,date'");
    assertThatThrownBy(() -> PartitionPath.parse("", "dataset.partitioning"))
        .hasMessageStartingWith("dataset.partitioning: '' is not a partition field");
  }
}
