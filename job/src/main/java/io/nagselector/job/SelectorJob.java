package io.nagselector.job;

import io.nagselector.avro.ControlEvent;
import io.nagselector.avro.DeadLetter;
import io.nagselector.avro.DocumentFeature;
import io.nagselector.avro.DuplicateDocument;
import io.nagselector.avro.SelectedDocument;
import io.nagselector.avro.TargetState;
import io.nagselector.avro.TopKSnapshot;
import io.nagselector.config.NearDuplicateSettings;
import io.nagselector.control.DecodeCommand;
import io.nagselector.control.PrepareCommand;
import io.nagselector.control.PreparedCommand;
import io.nagselector.control.TargetRegistry;
import io.nagselector.control.TargetRules;
import io.nagselector.control.TargetUpdate;
import io.nagselector.duplicates.ExactDuplicates;
import io.nagselector.duplicates.LegacyDedupe;
import io.nagselector.duplicates.near.NearDuplicateStage;
import io.nagselector.extract.AsyncExtraction;
import io.nagselector.extract.FeatureExtractor;
import io.nagselector.extract.SplitFailures;
import io.nagselector.extract.ToDocumentFeature;
import io.nagselector.ingest.DeadLetters;
import io.nagselector.ingest.DecodeAndValidate;
import io.nagselector.io.CrawlDecoder;
import io.nagselector.io.DocumentValidator;
import io.nagselector.io.RecordFormat;
import io.nagselector.model.NeuronType;
import io.nagselector.pipeline.ControlCommand;
import io.nagselector.pipeline.ExtractedDocument;
import io.nagselector.pipeline.RawRecord;
import io.nagselector.pipeline.SettledCount;
import io.nagselector.pipeline.ShardTopK;
import io.nagselector.pipeline.SourcedDocument;
import io.nagselector.select.ScoreAndSelect;
import io.nagselector.select.SettleFractions;
import io.nagselector.select.TopKMerge;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.datastream.AsyncDataStream;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.types.Either;

/**
 * The selection topology, built on streams the caller provides (Kafka in production, test sources
 * in tests): decode and validate, exact dedupe, near-duplicate removal (when on), async NAG
 * extraction, scoring against the broadcast targets. Every operator has a stable uid and name.
 */
public final class SelectorJob {
  /** What the topology needs to know. */
  public record Settings(
      CrawlDecoder.Format format,
      int maxTextBytes,
      Duration dedupeTtl,
      int shards,
      int warmUp,
      double holdSigmas,
      Duration maxHold,
      Duration asyncTimeout,
      int asyncCapacity,
      NeuronType neuronType,
      String modelFingerprint,
      TargetRules.Defaults targetDefaults,
      Duration topKInterval,
      int extractionAttempts,
      Duration retryBackoff,
      boolean emitDuplicates,
      NearDuplicateSettings nearDuplicates,
      Map<Integer, Long> controlLastOffsets,
      RecordFormat controlFormat) {}

  /**
   * The job's outputs ({@code events} and {@code targetStates} are null when targets are given, not
   * commanded).
   */
  public record Outputs(
      DataStream<SelectedDocument> selected,
      DataStream<DeadLetter> deadLetters,
      DataStream<TopKSnapshot> topK,
      DataStream<DocumentFeature> features,
      DataStream<DuplicateDocument> duplicates,
      DataStream<ControlEvent> events,
      DataStream<TargetState> targetStates) {}

  private final Settings settings;
  private final FeatureExtractor.Factory extractor;

  public SelectorJob(Settings settings, FeatureExtractor.Factory extractor) {
    this.settings = settings;
    this.extractor = extractor;
  }

  /** The full job: targets come from the control topic's commands. */
  public Outputs build(DataStream<RawRecord> crawl, DataStream<RawRecord> control) {
    // every record and state has an explicit serializer: a type Kryo would take fails the build
    crawl
        .getExecutionEnvironment()
        .configure(Configuration.fromMap(Map.of("pipeline.generic-types", "false")));
    SingleOutputStreamOperator<ControlCommand> commands =
        control
            .process(
                new DecodeCommand(
                    settings.targetDefaults().maxCommandBytes(),
                    settings.controlLastOffsets(),
                    settings.controlFormat()))
            .uid("decode-command")
            .name("decode command")
            .setParallelism(1);
    SingleOutputStreamOperator<PreparedCommand> prepared =
        AsyncDataStream.orderedWait(
                commands,
                new PrepareCommand(extractor, settings.neuronType(), settings.targetDefaults()),
                settings.asyncTimeout().toMillis(),
                TimeUnit.MILLISECONDS,
                settings.asyncCapacity())
            .uid("prepare-command")
            .name("extract target examples")
            .setParallelism(1);
    SingleOutputStreamOperator<TargetUpdate> targets =
        prepared
            .keyBy(TargetRegistry::key, Types.STRING)
            .process(new TargetRegistry(settings.targetDefaults()))
            .uid("target-registry")
            .name("target registry");
    DocumentPath documents = documentPath(crawl, targets);
    return new Outputs(
        documents.selected(),
        documents
            .deadLetters()
            .union(commands.getSideOutput(DeadLetters.TAG), targets.getSideOutput(DeadLetters.TAG)),
        documents.topK(),
        documents.features(),
        documents.duplicates(),
        targets.getSideOutput(TargetRegistry.EVENTS),
        targets.getSideOutput(TargetRegistry.STATES));
  }

  /** What the document path writes. */
  private record DocumentPath(
      DataStream<SelectedDocument> selected,
      DataStream<DeadLetter> deadLetters,
      DataStream<TopKSnapshot> topK,
      DataStream<DocumentFeature> features,
      DataStream<DuplicateDocument> duplicates) {}

  /** The document path against a given stream of target definitions. */
  private DocumentPath documentPath(DataStream<RawRecord> crawl, DataStream<TargetUpdate> targets) {
    SingleOutputStreamOperator<SourcedDocument> valid =
        crawl
            .process(new DecodeAndValidate(settings.format(), settings.maxTextBytes()))
            .uid("decode-validate")
            .name("decode and validate");
    SingleOutputStreamOperator<SourcedDocument> remembered =
        valid
            .keyBy(d -> DocumentValidator.dedupeHash(d.document().getText()), Types.LONG)
            .process(new ExactDuplicates(settings.dedupeTtl(), settings.emitDuplicates()))
            .uid("dedupe-compact")
            .name("exact dedupe");
    // the memory of builds before 0.2, under their uid, until its entries expire (LegacyDedupe)
    SingleOutputStreamOperator<SourcedDocument> unique =
        remembered
            .keyBy(d -> DocumentValidator.dedupeKey(d.document().getText()), Types.STRING)
            .process(new LegacyDedupe(settings.dedupeTtl(), settings.emitDuplicates()))
            .uid("dedupe")
            .name("exact dedupe, memory from before 0.2");
    DataStream<DuplicateDocument> duplicates =
        remembered
            .getSideOutput(ExactDuplicates.DUPLICATES)
            .union(unique.getSideOutput(ExactDuplicates.DUPLICATES));
    DataStream<SourcedDocument> distinct = unique;
    if (settings.nearDuplicates().enabled()) {
      NearDuplicateStage.Result near =
          NearDuplicateStage.apply(unique, settings.nearDuplicates(), settings.emitDuplicates());
      distinct = near.unique();
      duplicates = duplicates.union(near.skipped());
    }
    SingleOutputStreamOperator<Either<DeadLetter, ExtractedDocument>> extracted =
        AsyncDataStream.orderedWait(
                distinct,
                new AsyncExtraction(
                    extractor,
                    settings.neuronType(),
                    settings.extractionAttempts(),
                    settings.retryBackoff()),
                settings.asyncTimeout().toMillis(),
                TimeUnit.MILLISECONDS,
                settings.asyncCapacity())
            .uid("extract")
            .name("NAG extraction");
    SingleOutputStreamOperator<ExtractedDocument> features =
        extracted.process(new SplitFailures()).uid("split-failures").name("split failures");
    int shards = settings.shards();
    SingleOutputStreamOperator<SelectedDocument> scored =
        features
            .keyBy(d -> ScoreAndSelect.shard(d.document().getId(), shards), Types.INT)
            .connect(targets.broadcast(ScoreAndSelect.TARGETS))
            .process(
                new ScoreAndSelect(
                    settings.modelFingerprint(),
                    settings.warmUp(),
                    settings.holdSigmas(),
                    settings.topKInterval(),
                    !settings.controlLastOffsets().isEmpty()))
            .uid("score-select")
            .name("score and select");
    SingleOutputStreamOperator<SelectedDocument> settled =
        scored
            .getSideOutput(ScoreAndSelect.FRACTION_VOTES)
            .keyBy(SettleFractions::target, Types.STRING)
            .connect(targets.broadcast(SettleFractions.BROADCAST_STATE))
            .process(
                new SettleFractions(
                    settings.holdSigmas(),
                    settings.warmUp(),
                    settings.maxHold(),
                    settings.topKInterval()))
            .uid("settle-fractions")
            .name("settle fraction targets");
    DataStream<SelectedDocument> selected = scored.union(settled);
    DataStream<DeadLetter> deadLetters =
        valid
            .getSideOutput(DeadLetters.TAG)
            .union(features.getSideOutput(DeadLetters.TAG), scored.getSideOutput(DeadLetters.TAG));
    DataStream<TopKSnapshot> topK =
        scored
            .getSideOutput(ScoreAndSelect.TOP_K)
            .map(Either::<ShardTopK, SettledCount>Left, TopKMerge.INPUT)
            .name("shard top-k")
            .uid("shard-top-k")
            .union(
                settled
                    .getSideOutput(SettleFractions.ACCEPTED)
                    .map(Either::<ShardTopK, SettledCount>Right, TopKMerge.INPUT)
                    .name("settled count")
                    .uid("settled-count"))
            .keyBy(TopKMerge::target, Types.STRING)
            .process(new TopKMerge())
            .uid("top-k-merge")
            .name("top-k merge");
    DataStream<DocumentFeature> documentFeatures =
        features
            .map(new ToDocumentFeature(settings.modelFingerprint()))
            .uid("document-features")
            .name("document features");
    return new DocumentPath(selected, deadLetters, topK, documentFeatures, duplicates);
  }
}
