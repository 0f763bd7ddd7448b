package io.nagselector.io;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.List;
import java.util.function.Predicate;
import java.util.stream.Stream;

/** Expands a file, a directory (its data files) or a glob into a sorted list of files. */
public final class InputPaths {
  private InputPaths() {}

  public static List<Path> expand(String spec, String option) {
    if (spec == null || spec.isBlank()) {
      throw new UserInputException(option + ": no path given");
    }
    Path path = Path.of(spec);
    if (Files.isRegularFile(path)) {
      return List.of(path);
    }
    List<Path> files;
    if (Files.isDirectory(path)) {
      files = list(path, Integer.MAX_VALUE, p -> DataFormat.isDataFile(p));
    } else if (spec.contains("*")
        || spec.contains("?")
        || spec.contains("[")
        || spec.contains("{")) {
      Path base = literalPrefix(path);
      PathMatcher matcher = FileSystems.getDefault().getPathMatcher("glob:" + path);
      files = list(base, Integer.MAX_VALUE, matcher::matches);
    } else {
      throw new UserInputException(option + ": no such file or directory: " + spec);
    }
    if (files.isEmpty()) {
      throw new UserInputException(option + ": no files match '" + spec + "'");
    }
    return files;
  }

  private static Path literalPrefix(Path pattern) {
    Path base = pattern.isAbsolute() ? pattern.getRoot() : Path.of("");
    for (Path part : pattern) {
      String s = part.toString();
      if (s.contains("*") || s.contains("?") || s.contains("[") || s.contains("{")) {
        break;
      }
      base = base.resolve(part);
    }
    return base.toString().isEmpty() ? Path.of(".") : base;
  }

  private static List<Path> list(Path base, int depth, Predicate<Path> accept) {
    if (!Files.isDirectory(base)) {
      return List.of();
    }
    Path normalizedBase = base;
    try (Stream<Path> walk = Files.walk(normalizedBase, depth)) {
      return walk.filter(Files::isRegularFile)
          .map(p -> base.toString().equals(".") ? Path.of(".").relativize(p) : p)
          .filter(accept)
          .sorted()
          .toList();
    } catch (IOException e) {
      throw new UserInputException("cannot list " + base + ": " + e.getMessage(), e);
    }
  }
}
