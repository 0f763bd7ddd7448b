package io.nagselector.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.nagselector.avro.CrawlDocument;
import io.nagselector.avro.SelectedDocument;
import io.nagselector.io.CrawlDecoder;
import io.nagselector.model.ExtractionResult;
import io.nagselector.model.NeuronType;
import io.nagselector.model.TinyCheckpoint;
import io.nagselector.nag.BudgetSelection;
import io.nagselector.nag.NagFeature;
import io.nagselector.nag.Similarity;
import io.nagselector.nag.TargetProfile;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fraction policy on the job (shards, warm-ups, sketches) against the batch rule that `rank`
 * applies to the same documents: 4,000 shuffled documents at fraction 0.2.
 */
class FractionPolicyIT extends PipelineIT {
  @TempDir Path dir;

  @Test
  void streamingSelectionAgreesWithTheBatchRule() throws Exception {
    ExtractorSpec spec =
        new ExtractorSpec(
            TinyCheckpoint.decoder("qwen2", 9).write(dir.resolve("model"), "F32", 1).toString(),
            8,
            16,
            NeuronType.FWD_UP,
            16,
            1024,
            Duration.ofMillis(5));
    Random rnd = new Random(21);
    List<String> ids = new ArrayList<>();
    List<String> texts = new ArrayList<>();
    for (int i = 0; i < 4000; i++) {
      ids.add(String.format("doc-%04d", i));
      texts.add(TinyCheckpoint.randomText(rnd, 2 + rnd.nextInt(14)));
    }
    TargetDefinition target;
    double[] distances = new double[ids.size()];
    long[] tokens = new long[ids.size()];
    try (FeatureExtractor direct = SharedExtractor.acquire(spec)) {
      List<int[]> examples = new ArrayList<>();
      for (int e = 0; e < 16; e++) {
        ExtractionResult r = direct.extract("e" + e, TinyCheckpoint.randomText(rnd, 12)).get();
        examples.add(((ExtractionResult.Features) r).features().get(NeuronType.FWD_UP));
      }
      target =
          new TargetDefinition(
              "t",
              1,
              direct.fingerprint(),
              TargetDefinition.Policy.FRACTION,
              0.2,
              10,
              3,
              8,
              examples);
      TargetProfile profile = target.profile();
      for (int i = 0; i < ids.size(); i++) {
        ExtractionResult.Features f =
            (ExtractionResult.Features) direct.extract(ids.get(i), texts.get(i)).get();
        int[] feature = f.features().get(NeuronType.FWD_UP);
        distances[i] =
            1 - Similarity.similarity(NagFeature.of(ids.get(i), 3, 8, 0, feature), profile);
        tokens[i] = f.tokens();
      }
    }
    Set<String> batch = new HashSet<>();
    for (int i :
        BudgetSelection.select(distances, ids.toArray(String[]::new), false, tokens, 0.2)) {
      batch.add(ids.get(i));
    }

    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    env.setParallelism(2);
    List<RawRecord> records = new ArrayList<>();
    for (int i = 0; i < ids.size(); i++) {
      ByteBuffer b =
          CrawlDocument.getEncoder()
              .encode(CrawlDocument.newBuilder().setId(ids.get(i)).setText(texts.get(i)).build());
      byte[] bytes = new byte[b.remaining()];
      b.get(bytes);
      records.add(new RawRecord("crawl", 0, i, bytes));
    }
    // the target first: a one-element stream the documents wait behind (see the README's note)
    DataStream<TargetDefinition> targets =
        env.fromData(TypeInformation.of(TargetDefinition.class), target);
    DataStream<RawRecord> crawl =
        env.fromData(TypeInformation.of(RawRecord.class), records.toArray(RawRecord[]::new))
            .map(
                r -> {
                  Thread.sleep(r.offset() == 0 ? 3000 : 0);
                  return r;
                })
            .returns(RawRecord.class)
            .setParallelism(1);
    SelectorJob.Outputs out =
        new SelectorJob(
                new SelectorJob.Settings(
                    CrawlDecoder.Format.AVRO,
                    10_000,
                    Duration.ofDays(1),
                    2,
                    400,
                    Duration.ofSeconds(30),
                    64,
                    NeuronType.FWD_UP,
                    target.modelFingerprint(),
                    new TargetRegistry.Defaults(TargetDefinition.Policy.FRACTION, 0.2, 10, 8),
                    Duration.ofSeconds(1),
                    3,
                    Duration.ofMillis(50)),
                SharedExtractor.factory(spec))
            .buildWithTargets(crawl, targets);
    Set<String> streamed = new HashSet<>();
    Set<String> afterWarmUp = new HashSet<>();
    try (CloseableIterator<SelectedDocument> it = out.selected().executeAndCollect()) {
      while (it.hasNext()) {
        SelectedDocument s = it.next();
        streamed.add(s.getId());
        if (s.getThreshold() != null) {
          afterWarmUp.add(s.getId());
        }
      }
    }
    Set<String> both = new HashSet<>(streamed);
    both.retainAll(batch);
    Set<String> bothAfter = new HashSet<>(afterWarmUp);
    bothAfter.retainAll(batch);
    double precisionAfterWarmUp = (double) bothAfter.size() / afterWarmUp.size();
    double recall = (double) both.size() / batch.size();
    System.out.printf(
        "fraction policy on the job: %d streamed, %d batch, recall %.3f, precision %.3f (%.3f after warm-up)%n",
        streamed.size(),
        batch.size(),
        recall,
        (double) both.size() / streamed.size(),
        precisionAfterWarmUp);
    assertThat(precisionAfterWarmUp).isGreaterThanOrEqualTo(0.95);
    assertThat(recall).isGreaterThanOrEqualTo(0.9);
  }
}
