package io.nagselector.model;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import io.nagselector.nag.NagFeature;
import io.nagselector.nag.Similarity;
import io.nagselector.nag.TargetProfile;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The bundled all-MiniLM-L6-v2, loaded from the classpath ONNX file with no download. */
class DefaultModelTest {
  private static NDManager root;
  private static Backbones.Loaded model;

  @BeforeAll
  static void load() {
    root = Backbones.newManager(Device.cpu());
    model = DefaultModel.load(120, root);
  }

  @AfterAll
  static void release() {
    model.backbone().close();
    model.tokenizer().close();
    root.close();
  }

  @Test
  void hasMiniLmsShapeAndTokenizesWithoutSpecialTokensOrPadding() {
    assertThat(model.backbone().family()).isEqualTo("bert");
    assertThat(model.backbone().numLayers()).isEqualTo(6);
    assertThat(model.backbone().width(NeuronType.FWD_UP)).isEqualTo(1536);
    assertThat(model.backbone().width(NeuronType.ATT_Q)).isEqualTo(384);
    // "hello world" is two WordPiece tokens: no [CLS]/[SEP], no padding to a fixed length
    assertThat(model.tokenizer().encode("Hello world")).containsExactly(7592, 2088);
  }

  private List<NagFeature> features(String... texts) {
    Extractor extractor =
        new Extractor(model.backbone(), model.tokenizer(), ExtractionSettings.defaults(), root);
    List<Extractor.Doc> docs = new ArrayList<>();
    for (int i = 0; i < texts.length; i++) {
      docs.add(new Extractor.Doc("d" + i, texts[i]));
    }
    List<NagFeature> out = new ArrayList<>();
    for (ExtractionResult r : extractor.extract(docs)) {
      int[] f = ((ExtractionResult.Features) r).features().get(NeuronType.FWD_UP);
      out.add(NagFeature.of(r.docId(), 6, 20, 1536, f));
    }
    return out;
  }

  @Test
  void scienceIsCloserToAScienceTargetThanCodeIs() {
    TargetProfile.Builder target = TargetProfile.builder(6, 20, 1536);
    features(
            "Why does ice float on water?",
            "What causes the seasons on Earth?",
            "How do vaccines train the immune system?",
            "What is the speed of light in a vacuum?",
            "How does photosynthesis store energy from sunlight?")
        .forEach(target::add);
    TargetProfile profile = target.build();
    double science =
        mean(
            profile,
            features(
                "Photosynthesis converts light energy into chemical energy stored in glucose.",
                "Newton's second law states that force equals mass times acceleration.",
                "DNA is a double helix made of nucleotides paired by hydrogen bonds.",
                "Plate tectonics explains earthquakes and the drift of continents."));
    double code =
        mean(
            profile,
            features(
                "def add(a, b): return a + b",
                "SELECT name, count(*) FROM users GROUP BY name ORDER BY 2 DESC;",
                "for (int i = 0; i < n; i++) { sum += values[i]; }",
                "git rebase -i HEAD~3"));
    assertThat(science).isLessThan(code);
  }

  private static double mean(TargetProfile profile, List<NagFeature> docs) {
    return docs.stream().mapToDouble(d -> Similarity.distance(d, profile)).average().orElseThrow();
  }
}
