package io.nagselector.batch;

import io.nagselector.avro.DocumentFeature;
import io.nagselector.avro.SelectedDocument;
import io.nagselector.avro.TargetState;
import io.nagselector.avro.TopKEntry;
import io.nagselector.avro.TopKSnapshot;
import io.nagselector.config.ConfigKeys;
import io.nagselector.config.JobConfig;
import io.nagselector.config.KafkaClientConfig;
import io.nagselector.control.TargetRegistry;
import io.nagselector.dataset.DatasetSink;
import io.nagselector.io.RecordFormat;
import io.nagselector.io.UserInputException;
import io.nagselector.kafka.EncodedRecord;
import io.nagselector.kafka.KafkaWiring;
import io.nagselector.nag.NagFeature;
import io.nagselector.nag.ProfileMatrix;
import io.nagselector.nag.Similarity;
import io.nagselector.nag.TargetProfile;
import io.nagselector.pipeline.RawRecord;
import io.nagselector.pipeline.TargetDefinition;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichFlatMapFunction;
import org.apache.flink.api.common.functions.RichMapPartitionFunction;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExecutionOptions;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.types.Either;
import org.apache.flink.util.Collector;

/**
 * {@code target backfill}: a bounded Flink job (batch mode) that scores one target against every
 * document of the features topic, from the beginning or from a time, and writes the exact batch
 * rule's selection to the selected topic and its top-k to the top-k topic (key {@code
 * TARGET@backfill}), both tagged as backfill, exactly once. No inference: the features were
 * extracted by the live job.
 */
public final class BackfillJob {
  /** What a run read and selected. */
  public record Report(
      long read,
      long unreadable,
      long otherModel,
      long badShape,
      long duplicates,
      long scored,
      long totalTokens,
      long selected,
      long selectedTokens,
      double seconds) {}

  private BackfillJob() {}

  /**
   * Runs the backfill of {@code target} (a current, not removed, targets-topic record) over the
   * features topic, from {@code since} (null: the beginning) to its end when the job starts.
   */
  public static Report run(
      JobConfig c, TargetState target, Instant since, Optional<DatasetSink> dataset)
      throws Exception {
    String features = featuresTopic(c);
    Properties client = KafkaClientConfig.of(c);
    Configuration conf = new Configuration();
    conf.set(ExecutionOptions.RUNTIME_MODE, RuntimeExecutionMode.BATCH);
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
    env.setParallelism(1);
    byte[] state = RecordFormat.AVRO.encode(target);
    String prefix =
        c.get(ConfigKeys.KAFKA_TRANSACTIONAL_ID_PREFIX)
            + "-backfill-"
            + UUID.randomUUID().toString().substring(0, 8);
    Instant selectedAt = Instant.now();
    DataStream<Either<SelectedDocument, TopKSnapshot>> chosen =
        env.fromSource(
                KafkaWiring.boundedRawSource(
                    client,
                    features,
                    since == null
                        ? OffsetsInitializer.earliest()
                        : OffsetsInitializer.timestamp(since.toEpochMilli())),
                WatermarkStrategy.noWatermarks(),
                "features")
            .flatMap(new ScoreFeatures(state))
            .fullWindowPartition()
            .mapPartition(new SelectAll(state, selectedAt));
    chosen
        .map(
            new Encode(
                c.get(ConfigKeys.KAFKA_TOPICS_SELECTED),
                c.get(ConfigKeys.KAFKA_TOPICS_TOP_K),
                c.outputFormat()))
        .sinkTo(KafkaWiring.encodedSink(client, prefix));
    if (dataset.isPresent()) {
      dataset
          .get()
          .attachBounded(
              chosen
                  .filter(Either::isLeft)
                  .map(Either::left)
                  .returns(new AvroTypeInfo<>(SelectedDocument.class)));
    }
    long start = System.nanoTime();
    JobExecutionResult result = env.execute("backfill " + target.getName());
    if (dataset.isPresent()) {
      // a bounded job has no checkpoints: its shards are finished when it ends (checkpoint 0)
      String partition =
          dataset.get().partitioning().of(target.getName(), target.getVersion(), selectedAt);
      dataset.get().writeManifests(List.of(partition), 0);
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    Map<String, Object> a = result.getAllAccumulatorResults();
    return new Report(
        count(a, "read"),
        count(a, "unreadable"),
        count(a, "other-model"),
        count(a, "bad-shape"),
        count(a, "duplicates"),
        count(a, "scored"),
        count(a, "total-tokens"),
        count(a, "selected"),
        count(a, "selected-tokens"),
        seconds);
  }

  /** The features topic; fails when the job is not configured to write one. */
  public static String featuresTopic(JobConfig c) {
    String features = c.get(ConfigKeys.KAFKA_TOPICS_FEATURES);
    if (features.isBlank()) {
      throw new UserInputException(
          "kafka.topics.features is not set: backfill reads the features the job writes there");
    }
    return features;
  }

  private static long count(Map<String, Object> accumulators, String name) {
    Object v = accumulators.get(name);
    return v == null ? 0 : (Long) v;
  }

  private static TargetState decode(byte[] state) {
    try {
      return RecordFormat.decode(state, TargetState.class);
    } catch (IOException e) {
      throw new IllegalStateException("cannot decode the target", e);
    }
  }

  /** Decodes and scores each feature record; what cannot be scored is counted. */
  static final class ScoreFeatures
      extends RichFlatMapFunction<RawRecord, BackfillSelection.Scored> {
    private final byte[] state;
    private transient TargetState target;
    private transient TargetProfile profile;
    private transient ProfileMatrix matrix;
    private transient ProfileMatrix.Scratch scratch;
    private final LongCounter read = new LongCounter();
    private final LongCounter unreadable = new LongCounter();
    private final LongCounter otherModel = new LongCounter();
    private final LongCounter badShape = new LongCounter();

    ScoreFeatures(byte[] state) {
      this.state = state;
    }

    @Override
    public void open(OpenContext context) {
      target = decode(state);
      profile = TargetRegistry.profile(target);
      matrix = ProfileMatrix.exact(List.of(profile));
      scratch = matrix.newScratch();
      getRuntimeContext().addAccumulator("read", read);
      getRuntimeContext().addAccumulator("unreadable", unreadable);
      getRuntimeContext().addAccumulator("other-model", otherModel);
      getRuntimeContext().addAccumulator("bad-shape", badShape);
    }

    @Override
    public void flatMap(RawRecord raw, Collector<BackfillSelection.Scored> out) {
      read.add(1);
      DocumentFeature f;
      try {
        f = RecordFormat.decode(raw.value(), DocumentFeature.class);
      } catch (IOException | RuntimeException e) {
        unreadable.add(1);
        return;
      }
      if (!f.getModelFingerprint().equals(target.getModelFingerprint())) {
        otherModel.add(1);
        return;
      }
      int[] indices = f.getFeature().stream().mapToInt(Integer::intValue).toArray();
      if (indices.length != target.getNumLayers() * target.getFeatureK() || f.getTokens() < 0) {
        badShape.add(1);
        return;
      }
      double[] sim = new double[1];
      matrix.similarities(indices, scratch, sim);
      NagFeature feature =
          NagFeature.of(f.getId(), target.getNumLayers(), target.getFeatureK(), 0, indices);
      out.collect(
          new BackfillSelection.Scored(
              f.getId(),
              f.getUrl(),
              f.getTokens(),
              sim[0],
              Similarity.layerContributions(feature, profile)));
    }
  }

  /**
   * The batch rule over every scored document: the chosen ones as {@code SelectedDocument}s (ids,
   * scores, no text: the features topic has none), then the top-k snapshot.
   */
  static final class SelectAll
      extends RichMapPartitionFunction<
          BackfillSelection.Scored, Either<SelectedDocument, TopKSnapshot>> {
    private final byte[] state;
    private final Instant selectedAt;

    SelectAll(byte[] state, Instant selectedAt) {
      this.state = state;
      this.selectedAt = selectedAt;
    }

    @Override
    public void mapPartition(
        Iterable<BackfillSelection.Scored> scored,
        Collector<Either<SelectedDocument, TopKSnapshot>> out) {
      TargetState target = decode(state);
      BackfillSelection all = new BackfillSelection();
      scored.forEach(all::add);
      TargetDefinition.Policy policy = TargetDefinition.Policy.valueOf(target.getPolicy());
      List<BackfillSelection.Scored> chosen = all.select(policy, target.getPolicyValue());
      long tokens = 0;
      for (BackfillSelection.Scored d : chosen) {
        tokens += d.tokens();
        out.collect(Either.Left(selected(target, d, selectedAt)));
      }
      List<TopKEntry> entries = new ArrayList<>();
      for (BackfillSelection.Scored d : all.best(target.getTopK())) {
        entries.add(new TopKEntry(d.id(), d.similarity(), (long) d.tokens(), d.url()));
      }
      out.collect(
          Either.Right(
              TopKSnapshot.newBuilder()
                  .setTarget(target.getName())
                  .setTargetVersion(target.getVersion())
                  .setEntries(entries)
                  .setAccepted(chosen.size())
                  .setThreshold(
                      policy == TargetDefinition.Policy.THRESHOLD
                          ? target.getPolicyValue()
                          : chosen.isEmpty() ? null : chosen.get(chosen.size() - 1).similarity())
                  .setPublishedAt(selectedAt)
                  .setBackfill(true)
                  .build()));
      counter("duplicates", all.duplicates());
      counter("scored", all.size());
      counter("total-tokens", all.totalTokens());
      counter("selected", chosen.size());
      counter("selected-tokens", tokens);
    }

    private void counter(String name, long value) {
      LongCounter counter = new LongCounter();
      counter.add(value);
      getRuntimeContext().addAccumulator(name, counter);
    }

    private static SelectedDocument selected(
        TargetState target, BackfillSelection.Scored d, Instant now) {
      List<Double> contributions = new ArrayList<>();
      for (double v : d.contributions()) {
        contributions.add(v);
      }
      return SelectedDocument.newBuilder()
          .setId(d.id())
          .setUrl(d.url())
          .setText("")
          .setTokens(d.tokens())
          .setTarget(target.getName())
          .setTargetVersion(target.getVersion())
          .setSimilarity(d.similarity())
          .setThreshold(
              TargetDefinition.Policy.valueOf(target.getPolicy())
                      == TargetDefinition.Policy.THRESHOLD
                  ? target.getPolicyValue()
                  : null)
          .setLayerContributions(contributions)
          .setModelFingerprint(target.getModelFingerprint())
          .setSelectedAt(now)
          .setBackfill(true)
          .build();
    }
  }

  /**
   * A selection to the selected topic, a top-k snapshot to the top-k topic (key TARGET@backfill).
   */
  static final class Encode
      implements MapFunction<Either<SelectedDocument, TopKSnapshot>, EncodedRecord> {
    private final String selectedTopic;
    private final String topKTopic;
    private final RecordFormat format;

    Encode(String selectedTopic, String topKTopic, RecordFormat format) {
      this.selectedTopic = selectedTopic;
      this.topKTopic = topKTopic;
      this.format = format;
    }

    @Override
    public EncodedRecord map(Either<SelectedDocument, TopKSnapshot> chosen) {
      if (chosen.isLeft()) {
        SelectedDocument d = chosen.left();
        return EncodedRecord.of(selectedTopic, d.getId(), format.encode(d));
      }
      TopKSnapshot topK = chosen.right();
      return EncodedRecord.of(topKTopic, topK.getTarget() + "@backfill", format.encode(topK));
    }
  }
}
