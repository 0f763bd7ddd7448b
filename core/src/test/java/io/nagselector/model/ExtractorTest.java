package io.nagselector.model;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import ai.djl.ndarray.BaseNDManager;
import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Batching behaviour: invariance to batch mates, per-document errors, no native leak. */
class ExtractorTest {
  @TempDir static Path dir;
  private static NDManager root;
  private static Backbones.Loaded model;

  @BeforeAll
  static void load() throws IOException {
    root = Backbones.newManager(Device.cpu());
    Path path = TinyCheckpoint.decoder("qwen3", 5).write(dir.resolve("qwen3"), "F32", 1);
    model = Backbones.load(path, 24, root);
  }

  @AfterAll
  static void release() {
    model.backbone().close();
    model.tokenizer().close();
    root.close();
  }

  private static Extractor extractor(int batchSize) {
    ExtractionSettings settings =
        new ExtractionSettings(5, 24, List.of(NeuronType.values()), null, batchSize, 4096);
    return new Extractor(model.backbone(), model.tokenizer(), settings, root);
  }

  private static List<Extractor.Doc> randomDocs(Random rnd, String prefix, int count) {
    List<Extractor.Doc> docs = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      docs.add(new Extractor.Doc(prefix + i, TinyCheckpoint.randomText(rnd, 1 + rnd.nextInt(30))));
    }
    return docs;
  }

  @Test
  void aDocumentsFeatureDoesNotDependOnItsBatchMates() {
    Random rnd = new Random(1);
    Extractor.Doc probe = new Extractor.Doc("probe", TinyCheckpoint.randomText(rnd, 9));
    ExtractionResult alone = extractor(32).extract(List.of(probe)).get(0);
    for (int mates : new int[] {6, 31}) {
      List<Extractor.Doc> docs = randomDocs(rnd, "m", mates);
      docs.add(mates / 2, probe);
      List<ExtractionResult> results = extractor(32).extract(docs);
      ExtractionResult inBatch = results.get(mates / 2);
      assertThat(inBatch.docId()).isEqualTo("probe");
      for (NeuronType type : NeuronType.values()) {
        assertThat(((ExtractionResult.Features) inBatch).features().get(type))
            .as("%s in a batch of %d", type, mates + 1)
            .containsExactly(((ExtractionResult.Features) alone).features().get(type));
      }
    }
  }

  @Test
  void featuresAreLayerMajorTopKOfTheRequestedLayers() {
    ExtractionSettings settings =
        new ExtractionSettings(
            4, 24, List.of(NeuronType.FWD_UP, NeuronType.ATT_O), new int[] {0, 2}, 8, 4096);
    Extractor extractor = new Extractor(model.backbone(), model.tokenizer(), settings, root);
    ExtractionResult.Features f =
        (ExtractionResult.Features)
            extractor.extract(List.of(new Extractor.Doc("d", "w1 w2 w3"))).get(0);
    assertThat(f.tokens()).isEqualTo(3);
    int[] up = f.features().get(NeuronType.FWD_UP);
    assertThat(up).hasSize(2 * 4);
    assertThat(Arrays.copyOfRange(up, 0, 4)).doesNotHaveDuplicates();
    assertThat(Arrays.copyOfRange(up, 4, 8)).doesNotHaveDuplicates();
    assertThat(f.features().get(NeuronType.ATT_O)).hasSize(2 * 4);
    assertThat(f.features()).doesNotContainKey(NeuronType.FWD_DOWN);
  }

  @Test
  void emptyDocumentsFailAloneWithAReason() {
    List<ExtractionResult> results =
        extractor(8)
            .extract(
                List.of(
                    new Extractor.Doc("ok", "w1 w2"),
                    new Extractor.Doc("blank", "   "),
                    new Extractor.Doc("null", null)));
    assertThat(results.get(0)).isInstanceOf(ExtractionResult.Features.class);
    assertThat(results.get(1))
        .isEqualTo(
            new ExtractionResult.Failure(
                "blank",
                ExtractionResult.Reason.EMPTY_AFTER_TOKENIZATION,
                "no tokens after tokenization"));
    assertThat(results.get(2)).isInstanceOf(ExtractionResult.Failure.class);
  }

  @Test
  void truncatesToMaxLength() {
    ExtractionResult.Features f =
        (ExtractionResult.Features)
            extractor(8)
                .extract(
                    List.of(
                        new Extractor.Doc("long", TinyCheckpoint.randomText(new Random(2), 100))))
                .get(0);
    assertThat(f.tokens()).isEqualTo(24);
  }

  @Test
  void twoHundredBatchesLeaveNoNativeArraysBehind() {
    Extractor extractor = extractor(4);
    Random rnd = new Random(9);
    extractor.extract(randomDocs(rnd, "warm", 8));
    int before = ((BaseNDManager) root).getManagedArrays().size();
    long rssBefore = residentKilobytes();
    for (int i = 0; i < 200; i++) {
      extractor.extract(randomDocs(rnd, "b" + i, 4));
    }
    assertThat(((BaseNDManager) root).getManagedArrays()).hasSize(before);
    assertThat(residentKilobytes() - rssBefore)
        .as("resident memory growth, KiB")
        .isLessThan(64 * 1024);
  }

  private static long residentKilobytes() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("\\D", ""));
        }
      }
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    return 0;
  }
}
