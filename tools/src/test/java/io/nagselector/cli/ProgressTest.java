package io.nagselector.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ProgressTest {

  private static String run(boolean enabled) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    Progress progress = new Progress(new PrintStream(bytes, true, StandardCharsets.UTF_8), enabled);
    for (int i = 0; i < 2048; i++) {
      progress.accept(1);
    }
    progress.finish();
    assertThat(progress.rows()).isEqualTo(2048);
    return bytes.toString(StandardCharsets.UTF_8);
  }

  @Test
  void drawsRowsAndRateOnOneRedrawnLine() {
    String out = run(true);
    assertThat(out).startsWith("\r  1,024 rows read  (").contains("/s)");
    assertThat(out).doesNotContain("\n");
  }

  @Test
  void isSilentWhenDisabled() {
    assertThat(run(false)).isEmpty();
  }
}
