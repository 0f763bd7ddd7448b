package io.nagselector.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nagselector.avro.CrawlDocument;
import io.nagselector.io.UserInputException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DemoPartsTest {
  @TempDir Path dir;

  @Test
  void aCorpusLineIsACrawlDocumentOrItsRawBytes() throws Exception {
    DemoCorpus.Record doc =
        DemoCorpus.record("{\"id\": \"a1\", \"text\": \"Hello.\", \"source\": \"science\"}");
    assertThat(doc.id()).isEqualTo("a1");
    assertThat(doc.source()).isEqualTo("science");
    CrawlDocument decoded = CrawlDocument.getDecoder().decode(doc.value());
    assertThat(decoded.getText()).isEqualTo("Hello.");
    assertThat(decoded.getUrl()).isNull();

    DemoCorpus.Record raw = DemoCorpus.record("not json at all");
    assertThat(raw.id()).isNull();
    assertThat(new String(raw.value(), StandardCharsets.UTF_8)).isEqualTo("not json at all");
    assertThat(DemoCorpus.record("[1, 2]").id()).isNull(); // JSON, but not a record
  }

  @Test
  void theShippedCorpusHasSixDomainsDuplicatesAndMalformedRecords() throws Exception {
    List<DemoCorpus.Record> corpus = DemoCorpus.load("examples/demo/corpus.jsonl");
    assertThat(corpus).hasSize(380);
    assertThat(corpus.stream().filter(r -> r.id() == null)).hasSize(2); // not JSON; no id
    assertThat(
            corpus.stream()
                .map(DemoCorpus.Record::source)
                .filter(s -> s != null && !s.equals("bad"))
                .distinct())
        .containsExactlyInAnyOrder("science", "cooking", "sports", "code", "legal", "finance");
  }

  @Test
  void targetsAreFilesAndTheirMoreFilesAreAddedLater() throws Exception {
    Files.writeString(dir.resolve("sci.jsonl"), "{\"doc\": \"a\"}\n{\"doc\": \"b\"}\n");
    Files.writeString(dir.resolve("sci.more.jsonl"), "{\"doc\": \"c\"}\n");
    Files.writeString(dir.resolve("cook.jsonl"), "{\"doc\": \"d\"}\n");
    Files.writeString(dir.resolve("notes.txt"), "ignored");
    assertThat(DemoTargets.load(dir))
        .containsExactly(
            new DemoTargets.Target("cook", List.of("d"), List.of()),
            new DemoTargets.Target("sci", List.of("a", "b"), List.of("c")));
    Files.writeString(dir.resolve("orphan.more.jsonl"), "{\"doc\": \"e\"}\n");
    assertThatThrownBy(() -> DemoTargets.load(dir))
        .isInstanceOf(UserInputException.class)
        .hasMessageContaining("orphan.more.jsonl without orphan.jsonl");
  }

  @Test
  void theProgressLineCountsPerTargetVersion() {
    DemoProgress p = new DemoProgress(0);
    p.sent = 10;
    p.extracted = 6;
    p.duplicates = 1;
    assertThat(p.allAccountedFor()).isFalse();
    p.deadLetters = 2;
    assertThat(p.allAccountedFor()).isFalse();
    p.nearDuplicates = 1;
    assertThat(p.allAccountedFor()).isTrue();
    p.accepted("sci", 1);
    p.accepted("sci", 2);
    p.accepted("sci", 2);
    p.accepted("cook", 1);
    assertThat(p.line(2_000_000_000L))
        .isEqualTo(
            "in 10 | duplicates 1 | near-duplicates 1 | extracted 6 | dead letters 2 | accepted"
                + " cook v1:1 sci v1:1 v2:2 | 3.0 docs/s");
  }
}
