package io.nagselector.extract;

import static org.assertj.core.api.Assertions.assertThat;

import io.nagselector.model.ExtractionResult;
import io.nagselector.model.NeuronType;
import io.nagselector.model.TinyCheckpoint;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One model per JVM and spec, shared by users, batched behind single-document calls. */
class SharedExtractorTest {
  @TempDir Path dir;

  @Test
  void usersShareOneModelReleasedByTheLastAndBatchedResultsMatchDirectOnes() throws Exception {
    Path model = TinyCheckpoint.decoder("llama", 2).write(dir.resolve("m"), "F32", 1);
    ExtractorSpec spec =
        new ExtractorSpec(
            model.toString(),
            4,
            16,
            NeuronType.FWD_UP,
            8,
            256,
            Duration.ofMillis(5),
            1,
            "cpu",
            "auto");
    FeatureExtractor first = SharedExtractor.factory(spec).open();
    FeatureExtractor second = SharedExtractor.factory(spec).open();
    assertThat(SharedExtractor.loadedModels()).isEqualTo(1);
    assertThat(first.fingerprint()).isEqualTo(second.fingerprint()).startsWith("llama:");

    Random rnd = new Random(5);
    List<String> texts = new ArrayList<>();
    List<CompletableFuture<ExtractionResult>> futures = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      texts.add(TinyCheckpoint.randomText(rnd, 1 + rnd.nextInt(20)));
      futures.add((i % 2 == 0 ? first : second).extract("d" + i, texts.get(i)));
    }
    CompletableFuture<ExtractionResult> empty = first.extract("blank", "   ");
    for (int i = 0; i < 20; i++) {
      ExtractionResult batched = futures.get(i).get(10, TimeUnit.SECONDS);
      ExtractionResult alone = first.extract("d" + i, texts.get(i)).get(10, TimeUnit.SECONDS);
      assertThat(((ExtractionResult.Features) batched).features().get(NeuronType.FWD_UP))
          .containsExactly(((ExtractionResult.Features) alone).features().get(NeuronType.FWD_UP));
    }
    assertThat(empty.get().docId()).isEqualTo("blank");
    assertThat(((ExtractionResult.Failure) empty.get()).reason())
        .isEqualTo(ExtractionResult.Reason.EMPTY_AFTER_TOKENIZATION);

    first.close();
    first.close(); // idempotent
    assertThat(SharedExtractor.loadedModels()).isEqualTo(1);
    second.close();
    assertThat(SharedExtractor.loadedModels()).isZero();
  }
}
