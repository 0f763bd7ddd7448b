package io.nagselector.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * Writes a tiny random Qwen3-shaped checkpoint (3 layers, hidden 32) where {@code
 * -Dnag.tiny-model.write=DIR} says, for {@code scripts/bench-cpu.sh}: a real model whose forward
 * costs little, so that a benchmark's CPU is the job's own. Skipped otherwise.
 */
class TinyModelWriterTest {
  @Test
  void writesATinyModelForTheBench() throws Exception {
    String dir = System.getProperty("nag.tiny-model.write");
    assumeTrue(dir != null, "-Dnag.tiny-model.write=DIR writes the model");
    Path written = TinyCheckpoint.decoder("qwen3", 30).write(Path.of(dir), "F32", 1);
    assertThat(Files.list(written)).isNotEmpty();
  }
}
