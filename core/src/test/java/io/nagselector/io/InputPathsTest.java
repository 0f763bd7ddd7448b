package io.nagselector.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InputPathsTest {
  @TempDir Path dir;

  @BeforeEach
  void files() throws IOException {
    Files.createDirectories(dir.resolve("shards/sub"));
    for (String name :
        new String[] {
          "shards/b.jsonl", "shards/a.parquet", "shards/notes.txt", "shards/sub/c.json"
        }) {
      Files.writeString(dir.resolve(name), "");
    }
  }

  @Test
  void aFileIsItself() {
    assertThat(InputPaths.expand(dir.resolve("shards/b.jsonl").toString(), "--x"))
        .containsExactly(dir.resolve("shards/b.jsonl"));
  }

  @Test
  void aDirectoryIsItsDataFilesSorted() {
    assertThat(InputPaths.expand(dir.resolve("shards").toString(), "--x"))
        .containsExactly(
            dir.resolve("shards/a.parquet"),
            dir.resolve("shards/b.jsonl"),
            dir.resolve("shards/sub/c.json"));
  }

  @Test
  void aGlobMatchesSorted() {
    assertThat(InputPaths.expand(dir.resolve("shards/*.{jsonl,parquet}").toString(), "--x"))
        .containsExactly(dir.resolve("shards/a.parquet"), dir.resolve("shards/b.jsonl"));
    assertThat(InputPaths.expand(dir.resolve("shards/**.json").toString(), "--x"))
        .containsExactly(dir.resolve("shards/sub/c.json"));
  }

  @Test
  void nothingFoundNamesTheOption() {
    assertThatThrownBy(
            () -> InputPaths.expand(dir.resolve("none.jsonl").toString(), "--pool-payload"))
        .hasMessage("--pool-payload: no such file or directory: " + dir.resolve("none.jsonl"));
    assertThatThrownBy(() -> InputPaths.expand(dir.resolve("shards/*.csv").toString(), "--x"))
        .hasMessage("--x: no files match '" + dir.resolve("shards/*.csv") + "'");
  }
}
