package io.nagselector.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nagselector.io.UserInputException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class TargetBackfillCommandTest {
  private static final Instant NOW = Instant.parse("2026-11-25T12:00:00Z");

  @Test
  void sinceIsAnInstantOrADurationAgo() {
    assertThat(TargetBackfillCommand.parseSince("2026-11-24T08:30:00Z", NOW))
        .isEqualTo(Instant.parse("2026-11-24T08:30:00Z"));
    assertThat(TargetBackfillCommand.parseSince("90m", NOW))
        .isEqualTo(Instant.parse("2026-11-25T10:30:00Z"));
    assertThat(TargetBackfillCommand.parseSince("2d", NOW))
        .isEqualTo(Instant.parse("2026-11-23T12:00:00Z"));
    assertThatThrownBy(() -> TargetBackfillCommand.parseSince("yesterday", NOW))
        .isInstanceOf(UserInputException.class)
        .hasMessageContaining("--since must be an instant");
  }

  @Test
  void withoutAFeaturesTopicItSaysSoBeforeConnecting() {
    StringWriter err = new StringWriter();
    int exit =
        Main.commandLine()
            .setErr(new PrintWriter(err))
            .execute("target", "backfill", "--name", "sci", "--config", "config/local.yaml");
    assertThat(exit).isEqualTo(Main.USER_ERROR);
    assertThat(err.toString())
        .contains("kafka.topics.features is not set: backfill reads the features the job writes");
  }
}
