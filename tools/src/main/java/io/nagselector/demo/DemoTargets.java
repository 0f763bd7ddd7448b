package io.nagselector.demo;

import io.nagselector.io.BadRows;
import io.nagselector.io.RowFiles;
import io.nagselector.io.UserInputException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The demo's targets: in a directory, {@code NAME.jsonl} holds a target's example texts (column
 * {@code doc}) and the optional {@code NAME.more.jsonl} more examples, sent mid-stream as
 * ADD_EXAMPLES so that the version change shows.
 */
final class DemoTargets {
  record Target(String name, List<String> examples, List<String> more) {}

  private DemoTargets() {}

  static List<Target> load(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      throw new UserInputException("--targets " + dir + ": not a directory");
    }
    Map<String, List<String>> first = new TreeMap<>();
    Map<String, List<String>> more = new TreeMap<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f : files.sorted().toList()) {
        String name = f.getFileName().toString();
        if (!name.endsWith(".jsonl")) {
          continue;
        }
        String stem = name.substring(0, name.length() - ".jsonl".length());
        if (stem.endsWith(".more")) {
          more.put(stem.substring(0, stem.length() - ".more".length()), texts(f));
        } else {
          first.put(stem, texts(f));
        }
      }
    }
    if (first.isEmpty()) {
      throw new UserInputException("--targets " + dir + ": no NAME.jsonl example files");
    }
    for (String name : more.keySet()) {
      if (!first.containsKey(name)) {
        throw new UserInputException(
            "--targets " + dir + ": " + name + ".more.jsonl without " + name + ".jsonl");
      }
    }
    List<Target> out = new ArrayList<>();
    first.forEach(
        (name, texts) -> out.add(new Target(name, texts, more.getOrDefault(name, List.of()))));
    return out;
  }

  private static List<String> texts(Path file) {
    List<String> texts = new ArrayList<>();
    RowFiles.read(
        List.of(file),
        (row, where) -> {
          if (!(row.get("doc") instanceof String s)) {
            throw new UserInputException(where + ": no text column 'doc'");
          }
          texts.add(s);
        },
        BadRows.failing(),
        n -> {});
    return texts;
  }
}
