package io.nagselector.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.nagselector.avro.CrawlDocument;
import io.nagselector.io.InputPaths;
import io.nagselector.io.UserInputException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The documents the demo streams: JSONL lines with {@code id}, {@code text}, {@code url} and {@code
 * source} (the domain), each sent as an Avro {@link CrawlDocument}. A line that is not a JSON
 * object is sent as its raw bytes, so the job dead-letters it, as it would a broken crawler's
 * record.
 */
final class DemoCorpus {
  /** One record to send: its Kafka value, and its id and source when it has them. */
  record Record(String id, String source, byte[] value) {}

  private static final ObjectMapper JSON = new ObjectMapper();

  private DemoCorpus() {}

  static List<Record> load(String docs) throws IOException {
    List<Record> out = new ArrayList<>();
    for (Path file : InputPaths.expand(docs, "--docs")) {
      for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
        if (!line.isBlank()) {
          out.add(record(line));
        }
      }
    }
    if (out.isEmpty()) {
      throw new UserInputException("--docs " + docs + ": no documents");
    }
    return out;
  }

  static Record record(String line) throws IOException {
    JsonNode node;
    try {
      node = JSON.readTree(line);
    } catch (IOException e) {
      node = null;
    }
    if (node == null || !node.isObject()) {
      return new Record(null, null, line.getBytes(StandardCharsets.UTF_8));
    }
    CrawlDocument doc =
        CrawlDocument.newBuilder()
            .setId(text(node, "id"))
            .setUrl(text(node, "url"))
            .setText(text(node, "text"))
            .setSource(text(node, "source"))
            .setFetchTime(Instant.now())
            .build();
    ByteBuffer b = CrawlDocument.getEncoder().encode(doc);
    byte[] value = new byte[b.remaining()];
    b.get(value);
    return new Record(doc.getId(), doc.getSource(), value);
  }

  private static String text(JsonNode node, String field) {
    JsonNode v = node.get(field);
    return v == null || v.isNull() ? null : v.asText();
  }
}
