package io.nagselector.pipeline;

import io.nagselector.avro.DeadLetter;
import io.nagselector.avro.SelectedDocument;
import io.nagselector.io.CrawlDecoder;
import io.nagselector.io.DocumentValidator;
import io.nagselector.model.NeuronType;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.datastream.AsyncDataStream;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;

/**
 * The selection topology, built on streams the caller provides (Kafka in production, test sources
 * in tests): decode and validate, exact dedupe, async NAG extraction, scoring against the broadcast
 * targets. Every operator has a stable uid and name.
 */
public final class SelectorJob {
  /** What the topology needs to know. */
  public record Settings(
      CrawlDecoder.Format format,
      int maxTextBytes,
      Duration dedupeTtl,
      int shards,
      int warmUp,
      Duration asyncTimeout,
      int asyncCapacity,
      NeuronType neuronType,
      String modelFingerprint) {}

  /** The job's outputs. */
  public record Outputs(
      DataStream<SelectedDocument> selected, DataStream<DeadLetter> deadLetters) {}

  private final Settings settings;
  private final FeatureExtractor.Factory extractor;

  public SelectorJob(Settings settings, FeatureExtractor.Factory extractor) {
    this.settings = settings;
    this.extractor = extractor;
  }

  public Outputs build(DataStream<RawRecord> crawl, DataStream<TargetDefinition> targets) {
    SingleOutputStreamOperator<io.nagselector.avro.CrawlDocument> valid =
        crawl
            .process(new DecodeAndValidate(settings.format(), settings.maxTextBytes()))
            .uid("decode-validate")
            .name("decode and validate");
    SingleOutputStreamOperator<io.nagselector.avro.CrawlDocument> unique =
        valid
            .keyBy(d -> DocumentValidator.dedupeKey(d.getText()), Types.STRING)
            .process(new ExactDedupe(settings.dedupeTtl(), false))
            .uid("dedupe")
            .name("exact dedupe");
    SingleOutputStreamOperator<ExtractedDocument> extracted =
        AsyncDataStream.unorderedWait(
                unique,
                new AsyncExtraction(extractor, settings.neuronType()),
                settings.asyncTimeout().toMillis(),
                TimeUnit.MILLISECONDS,
                settings.asyncCapacity())
            .uid("extract")
            .name("NAG extraction");
    SingleOutputStreamOperator<ExtractedDocument> features =
        extracted.process(new SplitFailures()).uid("split-failures").name("split failures");
    int shards = settings.shards();
    SingleOutputStreamOperator<SelectedDocument> selected =
        features
            .keyBy(d -> ScoreAndSelect.shard(d.document().getId(), shards), Types.INT)
            .connect(targets.broadcast(ScoreAndSelect.TARGETS))
            .process(new ScoreAndSelect(settings.modelFingerprint(), settings.warmUp()))
            .uid("score-select")
            .name("score and select");
    DataStream<DeadLetter> deadLetters =
        valid
            .getSideOutput(DeadLetters.TAG)
            .union(
                features.getSideOutput(DeadLetters.TAG), selected.getSideOutput(DeadLetters.TAG));
    return new Outputs(selected, deadLetters);
  }
}
