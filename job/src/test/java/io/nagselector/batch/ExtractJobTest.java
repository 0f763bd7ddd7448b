package io.nagselector.batch;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import io.nagselector.io.BadRows;
import io.nagselector.io.FeatureFiles;
import io.nagselector.io.FeatureRow;
import io.nagselector.model.Backbones;
import io.nagselector.model.ExtractionSettings;
import io.nagselector.model.Extractor;
import io.nagselector.model.ModelFingerprint;
import io.nagselector.model.NeuronType;
import io.nagselector.model.TinyCheckpoint;
import io.nagselector.rank.PoolFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** extract over files, on a tiny random qwen3 checkpoint. */
class ExtractJobTest {
  @TempDir static Path models;
  @TempDir Path dir;
  private static NDManager root;
  private static Backbones.Loaded model;
  private static final ExtractionSettings SETTINGS =
      new ExtractionSettings(4, 16, List.of(NeuronType.FWD_UP, NeuronType.ATT_Q), null, 4, 4096);

  @BeforeAll
  static void load() throws IOException {
    root = Backbones.newManager(Device.cpu());
    model =
        Backbones.load(
            TinyCheckpoint.decoder("qwen3", 3).write(models.resolve("m"), "F32", 1), 16, root);
  }

  @AfterAll
  static void release() {
    model.backbone().close();
    model.tokenizer().close();
    root.close();
  }

  private ExtractJob job(String idPath, String textPath) {
    Extractor extractor = new Extractor(model.backbone(), model.tokenizer(), SETTINGS, root);
    return new ExtractJob(
        extractor, ModelFingerprint.of(model, SETTINGS), idPath, textPath, n -> {});
  }

  private static Map<String, Object> finalFormat(String docid, String text) {
    Map<String, Object> row = new LinkedHashMap<>();
    row.put("meta", Map.of("docid", docid));
    row.put("content_split", text);
    return row;
  }

  @Test
  void writesReferenceFormatFeaturesWithFingerprintAndErrors() throws IOException {
    List<Map<String, Object>> rows = new ArrayList<>();
    rows.add(finalFormat("a", "w1 w2 w3"));
    rows.add(finalFormat("empty", "   "));
    rows.add(Map.of("content_split", "w4"));
    rows.add(finalFormat("b", "w5 w6"));
    PoolFiles.writeJsonl(dir.resolve("shard-0.jsonl"), rows);

    ExtractJob.Summary s =
        job("meta.docid", "content_split")
            .run(dir.resolve("shard-0.jsonl").toString(), dir.resolve("out"), false);

    assertThat(s.filesDone()).isEqualTo(1);
    assertThat(s.failed()).isEqualTo(2);
    List<FeatureRow> features = new ArrayList<>();
    new FeatureFiles("docid", "att_q_feature", BadRows.failing())
        .read(List.of(dir.resolve("out/shard-0.jsonl")), features::add, n -> {});
    assertThat(features).extracting(FeatureRow::docId).containsExactly("a", "b");
    assertThat(features.get(0).indices()).hasSize(3 * 4);
    List<Map<String, Object>> errors = PoolFiles.readRows(dir.resolve("out/shard-0.errors.jsonl"));
    assertThat(errors)
        .extracting(e -> e.get("reason"))
        .containsExactlyInAnyOrder("MISSING_DOC_ID", "EMPTY_AFTER_TOKENIZATION");
    Map<String, Object> meta =
        PoolFiles.JSON.readValue(dir.resolve("out/_meta.json").toFile(), Map.class);
    assertThat(meta.get("fingerprint")).isEqualTo(ModelFingerprint.of(model, SETTINGS).id());
    assertThat((String) meta.get("fingerprint"))
        .startsWith("qwen3:")
        .endsWith(":k4:fwd_up+att_q:all:16");
    assertThat(Files.list(dir.resolve("out")).map(p -> p.getFileName().toString()))
        .containsExactlyInAnyOrder("shard-0.jsonl", "shard-0.errors.jsonl", "_meta.json");
  }

  @Test
  void skipsFinishedFilesUnlessOverwriting() throws IOException {
    Files.writeString(dir.resolve("p.jsonl"), "{\"docid\": \"x\", \"doc\": \"w1 w2\"}\n");
    Files.createDirectories(dir.resolve("out"));
    Files.writeString(dir.resolve("out/p.jsonl"), "done before\n");
    ExtractJob.Summary skipped =
        job("docid", "doc").run(dir.resolve("p.jsonl").toString(), dir.resolve("out"), false);
    assertThat(skipped.filesSkipped()).isEqualTo(1);
    assertThat(Files.readString(dir.resolve("out/p.jsonl"))).isEqualTo("done before\n");
    ExtractJob.Summary redone =
        job("docid", "doc").run(dir.resolve("p.jsonl").toString(), dir.resolve("out"), true);
    assertThat(redone.filesDone()).isEqualTo(1);
    assertThat(Files.readString(dir.resolve("out/p.jsonl")))
        .startsWith("{\"docid\":\"x\",\"fwd_up_feature\":");
  }

  @Test
  void readsParquetPayloads() throws IOException {
    List<Map<String, Object>> rows = new ArrayList<>();
    for (String id : List.of("p1", "p2")) {
      Map<String, Object> row = PoolFiles.payload(id, 3L, "web");
      row.put("doc", "w7 w8 w9");
      rows.add(row);
    }
    PoolFiles.writePandasParquet(dir.resolve("pool.parquet"), rows);
    ExtractJob.Summary s =
        job("docid", "doc").run(dir.resolve("pool.parquet").toString(), dir.resolve("out"), false);
    assertThat(s.docs()).isEqualTo(2);
    assertThat(Files.readAllLines(dir.resolve("out/pool.jsonl"))).hasSize(2);
  }
}
