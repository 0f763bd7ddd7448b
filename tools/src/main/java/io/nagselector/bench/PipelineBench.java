package io.nagselector.bench;

import io.nagselector.avro.CommandType;
import io.nagselector.avro.CrawlDocument;
import io.nagselector.avro.PolicyKind;
import io.nagselector.avro.TargetCommand;
import io.nagselector.avro.TargetPolicy;
import io.nagselector.broker.EmbeddedKafka;
import io.nagselector.config.ConfigKeys;
import io.nagselector.config.FlinkSettings;
import io.nagselector.config.JobConfig;
import io.nagselector.control.ControlClient;
import io.nagselector.dedupe.NearDuplicates;
import io.nagselector.extract.FeatureExtractor;
import io.nagselector.extract.SharedExtractor;
import io.nagselector.io.RecordFormat;
import io.nagselector.io.TempDirs;
import io.nagselector.job.SelectorApp;
import io.nagselector.kafka.JobTopics;
import io.nagselector.model.ExtractionResult;
import io.nagselector.model.TorchThreads;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * {@code bench pipeline}: the whole job (embedded Kafka broker, local MiniCluster, RocksDB,
 * exactly-once sinks) and the bare extractor on the same documents: both rates and their ratio, the
 * CPU per document of each of the job's threads, and a fraction target against the batch rule.
 *
 * @param model the model path, or "default"
 * @param device cpu or gpu (model.device); null: the config's
 * @param dtype fp32 or fp16 (model.dtype); null: the config's
 * @param warmUp documents run through each before measuring
 * @param timeBare whether to time the bare extractor too (false: the job only, for its CPU)
 */
public record PipelineBench(
    String model, int docs, String device, String dtype, int warmUp, boolean timeBare) {
  /** Runs both and prints their rates, the CPU per document and the fraction target's agreement. */
  public void run(PrintWriter out) throws Exception {
    SplittableRandom rnd = new SplittableRandom(5);
    List<String> texts = GeneratedTexts.texts(rnd, docs, "");
    List<String> warmUpTexts = GeneratedTexts.texts(rnd, warmUp, "warm-up ");
    Path work = Files.createTempDirectory("nag-bench-pipeline");
    try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
      Map<String, String> overrides =
          new HashMap<>(
              Map.of(
                  "NAG_MODEL_PATH",
                  model,
                  "NAG_SELECTION_SHARDS",
                  "8",
                  "NAG_SELECTION_WARM_UP",
                  "50", // 8 x 50: the fraction target's warm-up ends early in the run
                  "NAG_SELECTION_MAX_HOLD",
                  "5s",
                  "NAG_CHECKPOINTS_INTERVAL",
                  "10s",
                  "NAG_CHECKPOINTS_DIR",
                  work.resolve("checkpoints").toUri().toString()));
      overrides.putAll(System.getenv()); // the user's NAG_* settings win, but not over --model
      overrides.put("NAG_MODEL_PATH", model);
      if (device != null) {
        overrides.put("NAG_MODEL_DEVICE", device);
      }
      if (dtype != null) {
        overrides.put("NAG_MODEL_DTYPE", dtype);
      }
      overrides.put("NAG_KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers());
      JobConfig config = JobConfig.load(Path.of("config/local.yaml"), overrides);
      kafka.createTopics(JobTopics.toCreate(config));
      TorchThreads.configureForWorkers(config.get(ConfigKeys.MODEL_WORKERS));
      double bare;
      double bareCpuMs;
      double windowed;
      int inFlight = 2 * config.get(ConfigKeys.EXTRACTION_ASYNC_CAPACITY);
      String fingerprint;
      try (FeatureExtractor extractor =
          SharedExtractor.acquire(SelectorApp.extractorSpec(config))) {
        fingerprint = extractor.fingerprint();
        if (timeBare) {
          bareRate(extractor, warmUpTexts, Integer.MAX_VALUE);
          long cpuBefore = ThreadCpu.processNanos();
          bare = bareRate(extractor, texts, Integer.MAX_VALUE);
          bareCpuMs = (ThreadCpu.processNanos() - cpuBefore) / 1e6 / texts.size();
          windowed = bareRate(extractor, texts, inFlight);
        } else {
          bare = Double.NaN;
          bareCpuMs = Double.NaN;
          windowed = Double.NaN;
        }
      }
      if (timeBare) {
        out.printf(
            "bare extractor: %.1f docs/s with every document queued at once, %.1f docs/s with at"
                + " most %d in flight (what the job's 2 x async-capacity allows)%n",
            bare, windowed, inFlight);
      }
      if (timeBare && config.nearDuplicates().enabled()) {
        double micros = fingerprintMicros(config.nearDuplicates().rule(), warmUpTexts, texts);
        out.printf(
            "near-duplicate fingerprint (shingles, MinHash, bands): %.1f us/doc on one thread, %.1f%%"
                + " of the bare extractor's %.2f ms/doc%n",
            micros, 100 * micros / (1e6 / bare), 1e3 / bare);
      }

      StreamExecutionEnvironment env =
          StreamExecutionEnvironment.getExecutionEnvironment(FlinkSettings.defaults(config));
      env.setParallelism(2);
      SelectorApp.assemble(env, config, fingerprint);
      List<ThreadCpu.Use> beforeJob = ThreadCpu.sample();
      JobClient job = env.executeAsync("bench-pipeline");
      try (KafkaProducer<byte[], byte[]> producer =
              new KafkaProducer<>(
                  Map.of("bootstrap.servers", kafka.bootstrapServers(), "client.id", "bench"),
                  new ByteArraySerializer(),
                  new ByteArraySerializer());
          KafkaConsumer<byte[], byte[]> consumer =
              new KafkaConsumer<>(
                  Map.of(
                      "bootstrap.servers", kafka.bootstrapServers(),
                      "group.id", "bench",
                      "auto.offset.reset", "earliest",
                      "isolation.level", "read_committed"),
                  new ByteArrayDeserializer(),
                  new ByteArrayDeserializer())) {
        // "all" selects every document (its similarities are "budget"'s: the same example);
        // "budget" is a fraction target, checked against the batch rule below
        try (ControlClient control = ControlClient.open(config)) {
          List<String> ids = new ArrayList<>();
          for (String target : List.of("all", "budget")) {
            ids.add(
                control.send(
                    TargetCommand.newBuilder()
                        .setType(CommandType.UPSERT)
                        .setTarget(target)
                        .setExampleTexts(List.of(texts.get(1)))
                        .setPolicy(
                            target.equals("all")
                                ? new TargetPolicy(PolicyKind.THRESHOLD, 0.0)
                                : new TargetPolicy(PolicyKind.FRACTION, BUDGET))));
          }
          control.awaitAll(ids, Duration.ofMinutes(2)); // job start, model load, broadcast
        }
        consumer.subscribe(List.of("selected"));
        PipelineSelections selections = new PipelineSelections(BUDGET);
        produce(producer, warmUpTexts, "w");
        selections.await(consumer, warmUpTexts.size());
        List<ThreadCpu.Use> before = ThreadCpu.sample();
        long processBefore = ThreadCpu.processNanos();
        long tokenizerBefore = SharedExtractor.tokenizerCpuNanos();
        long start = System.nanoTime();
        long startMillis = System.currentTimeMillis();
        produce(producer, texts, "d");
        Map<String, Long> selectedAt = selections.await(consumer, warmUpTexts.size() + docs);
        List<ThreadCpu.Use> after = ThreadCpu.sample();
        long process = ThreadCpu.processNanos() - processBefore;
        long tokenizer = SharedExtractor.tokenizerCpuNanos() - tokenizerBefore;
        selectedAt.keySet().removeIf(id -> id.startsWith("w"));
        double seconds = (System.nanoTime() - start) / 1e9;
        double endToEnd = selectedAt.size() / seconds;
        double steady = rateSince(startMillis, selectedAt.values());
        out.printf(
            "whole job: %.1f docs/s from the first document sent to the last one scored;"
                + " %.1f docs/s end to end (%d of %d selected, read back read_committed after the"
                + " last checkpoint's commit)%n",
            steady, endToEnd, selectedAt.size(), docs);
        if (timeBare) {
          out.printf(
              "ratio: %.0f%% of the bare extractor (%.0f%% of it at the same number in flight)%n",
              100 * steady / bare, 100 * steady / windowed);
        }
        List<CpuBreakdown.Row> cpu =
            CpuBreakdown.movedToExtraction(
                CpuBreakdown.of(beforeJob, before, after, docs),
                "NAG extraction",
                "the tokenizer (on the async extraction's thread)",
                tokenizer / 1e6 / docs);
        double processMs = process / 1e6 / docs;
        printCpu(out, cpu, processMs);
        if (timeBare) {
          double jobCpuMs = processMs - CpuBreakdown.total(cpu, CpuBreakdown.Share.LEFT_OUT);
          out.printf(
              "cpu ratio: %.0f%% of the bare extractor's documents per CPU second (the bare"
                  + " extractor's process used %.2f ms of CPU per document, the job's %.2f, the"
                  + " bench's driver and the broker left out)%n",
              100 * bareCpuMs / jobCpuMs, bareCpuMs, jobCpuMs);
        }
        // what "budget" left undecided near its cut is decided within the max-hold, and committed
        // with the checkpoint after that
        selections.drainFor(
            consumer,
            config
                .get(ConfigKeys.SELECTION_MAX_HOLD)
                .plus(config.get(ConfigKeys.CHECKPOINTS_INTERVAL)));
        selections.drain(consumer);
        out.println(selections.againstBatch());
      } finally {
        job.cancel().get();
      }
    } finally {
      TempDirs.deleteTree(work);
    }
  }

  /** The CPU per document of each of the job's threads, from first sent to last scored. */
  private static void printCpu(PrintWriter out, List<CpuBreakdown.Row> rows, double processMs) {
    out.println("CPU per document, from the first document sent to the last one scored:");
    for (CpuBreakdown.Row r : rows) {
      out.printf("  cpu %-10s %8.4f ms  %s%n", r.share(), r.msPerDocument(), r.group());
    }
    double counted = rows.stream().mapToDouble(CpuBreakdown.Row::msPerDocument).sum();
    out.printf(
        "  cpu %-10s %8.4f ms  the rest of the process (JIT, GC, libtorch's own threads)%n",
        "OTHER", processMs - counted);
    out.printf(
        "cpu-job-total %.4f ms/doc (the job's own threads: the model's workers, the bench's driver"
            + " and the broker left out); extraction %.4f ms/doc; process %.4f ms/doc%n",
        CpuBreakdown.total(rows, CpuBreakdown.Share.JOB),
        CpuBreakdown.total(rows, CpuBreakdown.Share.EXTRACTION),
        processMs);
  }

  static void produce(KafkaProducer<byte[], byte[]> producer, List<String> texts, String prefix)
      throws IOException {
    for (int i = 0; i < texts.size(); i++) {
      CrawlDocument d = CrawlDocument.newBuilder().setId(prefix + i).setText(texts.get(i)).build();
      producer.send(new ProducerRecord<>("crawl", null, RecordFormat.AVRO.encode(d)));
    }
    producer.flush();
  }

  /** The fraction the "budget" target selects. */
  static final double BUDGET = 0.2;

  /** Mean microseconds to fingerprint one of {@code texts}, after a pass over the warm-up. */
  private static double fingerprintMicros(
      NearDuplicates rule, List<String> warmUpTexts, List<String> texts) {
    long sink = 0;
    for (String t : warmUpTexts) {
      sink += rule.fingerprint(t).buckets().length;
    }
    long start = System.nanoTime();
    for (String t : texts) {
      sink += rule.fingerprint(t).buckets().length;
    }
    double micros = (System.nanoTime() - start) / 1e3 / texts.size();
    return sink < 0 ? -1 : micros; // keeps the loop's work observable
  }

  /**
   * Extracts every text, with at most {@code window} requests in flight; documents per second,
   * measured as the job's figure is, from the first request to the last completion.
   */
  private static double bareRate(FeatureExtractor extractor, List<String> texts, int window)
      throws Exception {
    long startMillis = System.currentTimeMillis();
    Semaphore slots = new Semaphore(window);
    List<Long> done = Collections.synchronizedList(new ArrayList<>());
    List<CompletableFuture<ExtractionResult>> all = new ArrayList<>();
    for (int i = 0; i < texts.size(); i++) {
      slots.acquire();
      all.add(
          extractor
              .extract("d" + i, texts.get(i))
              .whenComplete(
                  (r, e) -> {
                    done.add(System.currentTimeMillis());
                    slots.release();
                  }));
    }
    CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get();
    return rateSince(startMillis, done);
  }

  /**
   * Documents per second from {@code startMillis} to the last of {@code times}. (The middle 80 % of
   * the times, measured before, over-counted once the extraction emits in arrival order: the first
   * documents wait for their batch-mates, and the middle ones then complete in bursts.)
   */
  public static double rateSince(long startMillis, Collection<Long> times) {
    long last = times.stream().mapToLong(Long::longValue).max().orElse(startMillis);
    double seconds = (last - startMillis) / 1e3;
    return seconds <= 0 ? Double.NaN : times.size() / seconds;
  }
}
