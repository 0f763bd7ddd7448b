package io.nagselector.dataset;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * One finished shard in its partition's manifest ({@code _manifest.jsonl}, a JSON object per line):
 * its file name, rows, tokens, and the checkpoint after which it was first listed (its rows were
 * committed by that checkpoint or, rarely, the one before).
 */
public record ManifestEntry(String shard, long rows, long tokens, long checkpoint) {
  public static final String FILE = "_manifest.jsonl";
  private static final ObjectMapper JSON = new ObjectMapper();

  public String line() {
    ObjectNode n = JSON.createObjectNode();
    n.put("shard", shard).put("rows", rows).put("tokens", tokens).put("checkpoint", checkpoint);
    return n.toString();
  }

  public static ManifestEntry parse(String line) {
    try {
      JsonNode n = JSON.readTree(line);
      return new ManifestEntry(
          n.get("shard").asText(),
          n.get("rows").asLong(),
          n.get("tokens").asLong(),
          n.get("checkpoint").asLong());
    } catch (IOException e) {
      throw new UncheckedIOException("a manifest line that is not ours: " + line, e);
    }
  }

  public static List<ManifestEntry> parseAll(String text) {
    List<ManifestEntry> entries = new ArrayList<>();
    for (String line : text.split("\n")) {
      if (!line.isBlank()) {
        entries.add(parse(line));
      }
    }
    return entries;
  }
}
