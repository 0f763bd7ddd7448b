package io.nagselector.job;

import io.nagselector.config.ConfigKeys;
import io.nagselector.config.JobConfig;
import io.nagselector.config.KafkaClientConfig;
import io.nagselector.control.ControlTopicEnd;
import io.nagselector.control.TargetRules;
import io.nagselector.dataset.DatasetSink;
import io.nagselector.extract.ExtractorSpec;
import io.nagselector.extract.FeatureExtractor;
import io.nagselector.extract.SharedExtractor;
import io.nagselector.ingest.CrawlWatermarks;
import io.nagselector.ingest.gate.ReplayGatedSource;
import io.nagselector.kafka.KafkaWiring;
import io.nagselector.model.ExtractionSettings;
import io.nagselector.model.ModelFingerprint;
import io.nagselector.pipeline.RawRecord;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/** Wires the real Kafka sources and exactly-once sinks around {@link SelectorJob}, from config. */
public final class SelectorApp {
  private SelectorApp() {}

  public static ExtractorSpec extractorSpec(JobConfig c) {
    return new ExtractorSpec(
        c.get(ConfigKeys.MODEL_PATH),
        c.get(ConfigKeys.MODEL_TOP_K),
        c.get(ConfigKeys.MODEL_MAX_LENGTH),
        c.get(ConfigKeys.MODEL_NEURON_TYPE),
        c.get(ConfigKeys.MODEL_BATCH_SIZE),
        c.get(ConfigKeys.MODEL_MAX_BATCH_TOKENS),
        c.get(ConfigKeys.MODEL_MAX_WAIT),
        c.get(ConfigKeys.MODEL_WORKERS),
        c.get(ConfigKeys.MODEL_DEVICE),
        c.get(ConfigKeys.MODEL_DTYPE).trim());
  }

  /** The model fingerprint of the configured extractor, from its files (no weights are loaded). */
  public static String fingerprint(JobConfig c) {
    ExtractorSpec spec = extractorSpec(c);
    return ModelFingerprint.ofFiles(
            spec.model(),
            new ExtractionSettings(
                spec.topK(),
                spec.maxLength(),
                List.of(spec.neuronType()),
                null,
                spec.batchSize(),
                spec.maxBatchTokens()))
        .id();
  }

  /** Adds the whole job to {@code env}; {@code fingerprint} is the extractor's. */
  public static void assemble(StreamExecutionEnvironment env, JobConfig c, String fingerprint) {
    assemble(env, c, fingerprint, SharedExtractor.factory(extractorSpec(c)));
  }

  /** The same with another extractor (tests inject slow or failing ones). */
  static void assemble(
      StreamExecutionEnvironment env,
      JobConfig c,
      String fingerprint,
      FeatureExtractor.Factory extractor) {
    Map<Integer, Long> controlEnd =
        ControlTopicEnd.lastRecordOffsets(
            KafkaClientConfig.of(c), c.get(ConfigKeys.KAFKA_TOPICS_CONTROL));
    assemble(env, c, fingerprint, extractor, controlEnd);
  }

  /** Each crawl partition's event time, by which the dedupe stages put documents in order. */
  static WatermarkStrategy<RawRecord> crawlWatermarks(JobConfig c) {
    Duration outOfOrderness = c.get(ConfigKeys.DEDUPE_ORDER_OUT_OF_ORDERNESS);
    Duration quietAfter = c.get(ConfigKeys.DEDUPE_ORDER_QUIET_AFTER);
    return WatermarkStrategy.forGenerator(
        context -> new CrawlWatermarks<>(outOfOrderness, quietAfter, System::currentTimeMillis));
  }

  /**
   * The same, given where the control topic ends ({@link ControlTopicEnd}): a start without state
   * scores no document before the commands up to there are applied.
   */
  static void assemble(
      StreamExecutionEnvironment env,
      JobConfig c,
      String fingerprint,
      FeatureExtractor.Factory extractor,
      Map<Integer, Long> controlEnd) {
    Properties client = KafkaClientConfig.of(c);
    String group = c.get(ConfigKeys.KAFKA_GROUP_ID);
    DataStream<RawRecord> crawl =
        env.fromSource(
                new ReplayGatedSource<>(
                    KafkaWiring.crawlSource(client, c.get(ConfigKeys.KAFKA_TOPICS_CRAWL), group),
                    client,
                    c.get(ConfigKeys.KAFKA_TOPICS_CONTROL_EVENTS),
                    !controlEnd.isEmpty()),
                crawlWatermarks(c),
                "crawl")
            .uid("crawl-source");
    DataStream<RawRecord> control =
        env.fromSource(
                KafkaWiring.controlSource(
                    client, c.get(ConfigKeys.KAFKA_TOPICS_CONTROL), group + "-control"),
                WatermarkStrategy.noWatermarks(),
                "control")
            .uid("control-source");
    SelectorJob.Settings settings =
        new SelectorJob.Settings(
            c.format(),
            c.get(ConfigKeys.INPUT_MAX_TEXT_BYTES),
            c.get(ConfigKeys.DEDUPE_TTL),
            c.get(ConfigKeys.SELECTION_SHARDS),
            c.get(ConfigKeys.SELECTION_WARM_UP),
            c.get(ConfigKeys.SELECTION_HOLD_SIGMAS),
            c.get(ConfigKeys.SELECTION_MAX_HOLD),
            c.get(ConfigKeys.EXTRACTION_ASYNC_TIMEOUT),
            c.get(ConfigKeys.EXTRACTION_ASYNC_CAPACITY),
            c.get(ConfigKeys.MODEL_NEURON_TYPE),
            fingerprint,
            new TargetRules.Defaults(
                c.defaultPolicy(),
                c.get(ConfigKeys.SELECTION_DEFAULT_VALUE),
                c.get(ConfigKeys.SELECTION_TOP_K),
                c.get(ConfigKeys.MODEL_TOP_K),
                c.get(ConfigKeys.TARGETS_MAX_EXAMPLES),
                c.get(ConfigKeys.TARGETS_MAX_EXAMPLE_BYTES),
                c.get(ConfigKeys.TARGETS_MAX_TARGETS),
                c.get(ConfigKeys.TARGETS_MAX_COMMAND_BYTES),
                c.get(ConfigKeys.TARGETS_MAX_TOP_K),
                c.get(ConfigKeys.TARGETS_MAX_COMMAND_IDS)),
            c.get(ConfigKeys.SELECTION_TOP_K_INTERVAL),
            c.get(ConfigKeys.EXTRACTION_MAX_ATTEMPTS),
            c.get(ConfigKeys.EXTRACTION_RETRY_BACKOFF),
            !c.get(ConfigKeys.KAFKA_TOPICS_DUPLICATES).isBlank(),
            c.nearDuplicates(),
            controlEnd,
            c.controlFormat());
    SelectorJob.Outputs out = new SelectorJob(settings, extractor).build(crawl, control);
    String prefix = c.get(ConfigKeys.KAFKA_TRANSACTIONAL_ID_PREFIX);
    Properties producer = KafkaClientConfig.producer(c);
    out.selected()
        .sinkTo(
            KafkaWiring.selectedSink(
                producer, c.outputFormat(), c.get(ConfigKeys.KAFKA_TOPICS_SELECTED), prefix))
        .uid("selected-sink")
        .name("selected documents");
    DatasetSink.configured(c).ifPresent(dataset -> dataset.attach(out.selected()));
    out.topK()
        .sinkTo(
            KafkaWiring.topKSink(
                producer, c.outputFormat(), c.get(ConfigKeys.KAFKA_TOPICS_TOP_K), prefix))
        .uid("top-k-sink")
        .name("top-k snapshots");
    String featuresTopic = c.get(ConfigKeys.KAFKA_TOPICS_FEATURES).trim();
    if (!featuresTopic.isEmpty()) {
      out.features()
          .sinkTo(KafkaWiring.featuresSink(producer, c.outputFormat(), featuresTopic, prefix))
          .uid("features-sink")
          .name("document features");
    }
    out.events()
        .sinkTo(
            KafkaWiring.controlEventsSink(
                producer, c.outputFormat(), c.get(ConfigKeys.KAFKA_TOPICS_CONTROL_EVENTS), prefix))
        .uid("control-events-sink")
        .name("control events");
    out.targetStates()
        .sinkTo(
            KafkaWiring.targetsSink(
                producer, c.outputFormat(), c.get(ConfigKeys.KAFKA_TOPICS_TARGETS), prefix))
        .uid("targets-sink")
        .name("target states");
    String duplicatesTopic = c.get(ConfigKeys.KAFKA_TOPICS_DUPLICATES).trim();
    if (!duplicatesTopic.isEmpty()) {
      out.duplicates()
          .sinkTo(KafkaWiring.duplicatesSink(producer, c.outputFormat(), duplicatesTopic, prefix))
          .uid("duplicates-sink")
          .name("duplicates");
    }
    out.deadLetters()
        .sinkTo(
            KafkaWiring.deadLetterSink(
                producer, c.outputFormat(), c.get(ConfigKeys.KAFKA_TOPICS_DEAD_LETTER), prefix))
        .uid("dead-letter-sink")
        .name("dead letters");
  }
}
