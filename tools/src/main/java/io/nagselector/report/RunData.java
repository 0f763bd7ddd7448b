package io.nagselector.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.nagselector.io.UserInputException;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a selection run produced, as the report shows it: the targets with their top-k, every
 * document's similarity to each target (when the job wrote features), the selected documents and
 * the dead letters and the duplicates skipped. Stored as files in a directory (what {@code demo}
 * writes, what {@code report --input DIR} reads).
 */
public record RunData(
    List<Target> targets,
    List<Score> scores,
    List<Selected> selected,
    List<DeadLetterRow> dead,
    List<DuplicateRow> duplicates) {

  /** A target as the job holds it, with its published top-k. */
  public record Target(
      String name,
      int version,
      String policy,
      double policyValue,
      Double threshold,
      long accepted,
      int numLayers,
      List<TopEntry> topK) {}

  public record TopEntry(String id, double similarity, String source, String snippet) {}

  /** One document's similarity to a target's current profile. */
  public record Score(String target, String id, String source, double similarity) {}

  public record Selected(
      String target,
      int version,
      String id,
      String source,
      double similarity,
      Double threshold,
      long selectedAt,
      List<Double> contributions,
      String snippet,
      boolean backfill) {}

  public record DeadLetterRow(String reason, String topic, String docId, String message) {}

  /** A document skipped before inference: EXACT or NEAR, and for NEAR the earlier id. */
  public record DuplicateRow(
      String kind, String docId, String source, String duplicateOf, double jaccard) {
    public boolean near() {
      return kind.equals("NEAR");
    }
  }

  /** The duplicates that were near, not exact, copies. */
  public List<DuplicateRow> nearDuplicates() {
    return duplicates.stream().filter(DuplicateRow::near).toList();
  }

  static final String TARGETS = "targets.json";
  static final String SCORES = "scores.jsonl";
  public static final String SELECTED = "selected.jsonl";
  public static final String DEAD_LETTERS = "dead-letters.jsonl";
  public static final String DUPLICATES = "duplicates.jsonl";

  private static final ObjectMapper JSON = new ObjectMapper();

  /** Mean similarity per source, highest first, for one target. */
  public Map<String, Double> meanBySource(String target) {
    Map<String, double[]> sums = new TreeMap<>();
    for (Score s : scores) {
      if (s.target().equals(target)) {
        double[] sum = sums.computeIfAbsent(source(s.source()), k -> new double[2]);
        sum[0] += s.similarity();
        sum[1]++;
      }
    }
    Map<String, Double> out = new LinkedHashMap<>();
    sums.entrySet().stream()
        .sorted(
            (a, b) ->
                Double.compare(
                    b.getValue()[0] / b.getValue()[1], a.getValue()[0] / a.getValue()[1]))
        .forEach(e -> out.put(e.getKey(), e.getValue()[0] / e.getValue()[1]));
    return out;
  }

  static String source(String source) {
    return source == null || source.isBlank() ? "(none)" : source;
  }

  public void writeTo(Path dir) throws IOException {
    Files.createDirectories(dir);
    JSON.writer(SerializationFeature.INDENT_OUTPUT)
        .writeValue(dir.resolve(TARGETS).toFile(), targets);
    writeLines(dir.resolve(SCORES), scores);
    writeLines(dir.resolve(SELECTED), selected);
    writeLines(dir.resolve(DEAD_LETTERS), dead);
    writeLines(dir.resolve(DUPLICATES), duplicates);
  }

  private static void writeLines(Path file, List<?> rows) throws IOException {
    try (BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      for (Object row : rows) {
        out.write(JSON.writeValueAsString(row));
        out.newLine();
      }
    }
  }

  public static RunData readFrom(Path dir) throws IOException {
    if (!Files.isRegularFile(dir.resolve(TARGETS))) {
      throw new UserInputException(
          dir + ": no " + TARGETS + " (give the directory a demo run wrote, or a Kafka config)");
    }
    List<Target> targets = List.of(JSON.readValue(dir.resolve(TARGETS).toFile(), Target[].class));
    return new RunData(
        targets,
        readLines(dir.resolve(SCORES), Score.class),
        readLines(dir.resolve(SELECTED), Selected.class),
        readLines(dir.resolve(DEAD_LETTERS), DeadLetterRow.class),
        readLines(dir.resolve(DUPLICATES), DuplicateRow.class));
  }

  private static <T> List<T> readLines(Path file, Class<T> type) throws IOException {
    List<T> out = new ArrayList<>();
    if (!Files.exists(file)) {
      return out;
    }
    for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
      if (!line.isBlank()) {
        out.add(JSON.readValue(line, type));
      }
    }
    return out;
  }
}
