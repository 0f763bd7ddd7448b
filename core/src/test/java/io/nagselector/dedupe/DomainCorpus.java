package io.nagselector.dedupe;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/**
 * A crawl-like corpus of any size in the demo's six domains: each document is 1-6 sentences of one
 * domain from the demo corpus, now and then with a sentence of another domain, in random order.
 * Deterministic for a seed; every text is distinct.
 */
public final class DomainCorpus {
  /** One generated document. */
  public record Doc(String id, String domain, String text) {}

  /** The chance that a sentence comes from another domain. */
  private static final double MIX = 0.15;

  private DomainCorpus() {}

  public static List<Doc> generate(int count, long seed) throws IOException {
    Map<String, List<String>> sentences = sentences(Path.of("examples/demo/corpus.jsonl"));
    List<String> domains = new ArrayList<>(sentences.keySet());
    Random rnd = new Random(seed);
    Map<String, Doc> docs = new LinkedHashMap<>();
    while (docs.size() < count) {
      String domain = domains.get(rnd.nextInt(domains.size()));
      StringBuilder text = new StringBuilder();
      for (int s = 0, n = 1 + rnd.nextInt(6); s < n; s++) {
        String from = rnd.nextDouble() < MIX ? domains.get(rnd.nextInt(domains.size())) : domain;
        List<String> pool = sentences.get(from);
        text.append(s == 0 ? "" : " ").append(pool.get(rnd.nextInt(pool.size())));
      }
      String id = String.format("doc-%05d", docs.size());
      docs.putIfAbsent(text.toString(), new Doc(id, domain, text.toString()));
    }
    return List.copyOf(docs.values());
  }

  /**
   * The demo corpus's distinct sentences by domain (its malformed records and its mirrored pages,
   * near-duplicates of others, left out).
   */
  public static Map<String, List<String>> sentences(Path corpus) throws IOException {
    ObjectMapper json = new ObjectMapper();
    Map<String, List<String>> out = new TreeMap<>();
    for (String line : Files.readAllLines(corpus, StandardCharsets.UTF_8)) {
      JsonNode node;
      try {
        node = json.readTree(line);
      } catch (IOException e) {
        continue;
      }
      if (node == null || !node.hasNonNull("source") || !node.hasNonNull("text")) {
        continue;
      }
      String domain = node.get("source").asText();
      boolean mirror = node.path("id").asText().endsWith("-mirror");
      if (domain.equals("bad") || mirror || node.get("text").asText().isBlank()) {
        continue;
      }
      List<String> pool = out.computeIfAbsent(domain, d -> new ArrayList<>());
      for (String sentence : node.get("text").asText().split("(?<=[.!?])\\s+")) {
        if (!sentence.isBlank() && !pool.contains(sentence)) {
          pool.add(sentence);
        }
      }
    }
    return out;
  }
}
