package io.nagselector.pipeline;

import io.nagselector.kafka.EmbeddedKafka;
import io.nagselector.model.ExtractionSettings;
import io.nagselector.model.ModelFingerprint;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/** Wires the real Kafka sources and exactly-once sinks around {@link SelectorJob}, from config. */
public final class SelectorApp {
  private SelectorApp() {}

  public static ExtractorSpec extractorSpec(JobConfig c) {
    return new ExtractorSpec(
        c.string("model.path"),
        c.positive("model.top-k"),
        c.positive("model.max-length"),
        c.neuronType(),
        c.positive("model.batch-size"),
        c.positive("model.max-batch-tokens"),
        c.duration("model.max-wait"),
        c.positive("model.workers"),
        c.modelDevice(),
        c.string("model.dtype").trim());
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

  /** Every topic the configured job reads or writes (optional ones when set). */
  public static Set<String> topics(JobConfig c) {
    Set<String> topics = new TreeSet<>();
    for (String key :
        List.of(
            "crawl",
            "control",
            "control-events",
            "targets",
            "selected",
            "dead-letter",
            "top-k",
            "features",
            "duplicates")) {
      String topic = c.string("kafka.topics." + key).trim();
      if (!topic.isEmpty()) {
        topics.add(topic);
      }
    }
    return topics;
  }

  /**
   * Creates on an embedded broker every topic the configured job reads and writes (crawl with 2
   * partitions, top-k and targets compacted), plus {@code more}.
   */
  public static void createTopics(EmbeddedKafka kafka, JobConfig c, String... more) {
    Map<String, Integer> partitions = new HashMap<>();
    topics(c).forEach(topic -> partitions.put(topic, 1));
    partitions.put(c.string("kafka.topics.crawl"), 2);
    for (String topic : more) {
      partitions.put(topic, 1);
    }
    kafka.createTopics(
        partitions, List.of(c.string("kafka.topics.top-k"), c.string("kafka.topics.targets")));
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
    Properties client = KafkaClientConfig.of(c);
    String group = c.string("kafka.group-id");
    DataStream<RawRecord> crawl =
        env.fromSource(
                KafkaWiring.crawlSource(client, c.string("kafka.topics.crawl"), group),
                WatermarkStrategy.noWatermarks(),
                "crawl")
            .uid("crawl-source");
    DataStream<RawRecord> control =
        env.fromSource(
                KafkaWiring.controlSource(
                    client, c.string("kafka.topics.control"), group + "-control"),
                WatermarkStrategy.noWatermarks(),
                "control")
            .uid("control-source");
    SelectorJob.Settings settings =
        new SelectorJob.Settings(
            c.format(),
            c.positive("input.max-text-bytes"),
            c.duration("dedupe.ttl"),
            c.positive("selection.shards"),
            c.nonNegative("selection.warm-up"),
            c.duration("extraction.async-timeout"),
            c.positive("extraction.async-capacity"),
            c.neuronType(),
            fingerprint,
            new TargetProtocol.Defaults(
                c.defaultPolicy(),
                c.defaultValue(),
                c.positive("selection.top-k"),
                c.positive("model.top-k"),
                c.positive("targets.max-examples"),
                c.positive("targets.max-example-bytes"),
                c.positive("targets.max-targets"),
                c.positive("targets.max-command-bytes"),
                c.positive("targets.max-top-k"),
                c.positive("targets.max-command-ids")),
            c.duration("selection.top-k-interval"),
            c.positive("extraction.max-attempts"),
            c.duration("extraction.retry-backoff"),
            !c.string("kafka.topics.duplicates").isBlank());
    SelectorJob.Outputs out = new SelectorJob(settings, extractor).build(crawl, control);
    String prefix = c.string("kafka.transactional-id-prefix");
    Properties producer = KafkaClientConfig.producer(c);
    out.selected()
        .sinkTo(KafkaWiring.selectedSink(producer, c.string("kafka.topics.selected"), prefix))
        .uid("selected-sink")
        .name("selected documents");
    out.topK()
        .sinkTo(KafkaWiring.topKSink(producer, c.string("kafka.topics.top-k"), prefix))
        .uid("top-k-sink")
        .name("top-k snapshots");
    String featuresTopic = c.string("kafka.topics.features").trim();
    if (!featuresTopic.isEmpty()) {
      out.features()
          .sinkTo(KafkaWiring.featuresSink(producer, featuresTopic, prefix))
          .uid("features-sink")
          .name("document features");
    }
    out.events()
        .sinkTo(
            KafkaWiring.controlEventsSink(
                producer, c.string("kafka.topics.control-events"), prefix))
        .uid("control-events-sink")
        .name("control events");
    out.targetStates()
        .sinkTo(KafkaWiring.targetsSink(producer, c.string("kafka.topics.targets"), prefix))
        .uid("targets-sink")
        .name("target states");
    String duplicatesTopic = c.string("kafka.topics.duplicates").trim();
    if (!duplicatesTopic.isEmpty()) {
      out.duplicates()
          .sinkTo(KafkaWiring.duplicatesSink(producer, duplicatesTopic, prefix))
          .uid("duplicates-sink")
          .name("duplicates");
    }
    out.deadLetters()
        .sinkTo(KafkaWiring.deadLetterSink(producer, c.string("kafka.topics.dead-letter"), prefix))
        .uid("dead-letter-sink")
        .name("dead letters");
  }
}
