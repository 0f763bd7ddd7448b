package io.nagselector.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.nagselector.avro.CommandType;
import io.nagselector.avro.CrawlDocument;
import io.nagselector.avro.PolicyKind;
import io.nagselector.avro.TargetCommand;
import io.nagselector.avro.TargetPolicy;
import io.nagselector.broker.EmbeddedKafka;
import io.nagselector.config.ConfigKeys;
import io.nagselector.config.FlinkSettings;
import io.nagselector.config.JobConfig;
import io.nagselector.config.KafkaClientConfig;
import io.nagselector.control.ControlClient;
import io.nagselector.demo.Demo;
import io.nagselector.io.RecordFormat;
import io.nagselector.io.TempDirs;
import io.nagselector.job.SelectorApp;
import io.nagselector.kafka.JobTopics;
import io.nagselector.model.TorchThreads;
import java.io.IOException;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * {@code bench soak}: the whole job for a long run (embedded broker, local MiniCluster, RocksDB,
 * checkpoints): after each completed checkpoint, prints throughput, checkpoint duration and size,
 * the checkpoint directory's size, the live RocksDB directories' size and the heap in use after a
 * GC; at the end the heap's slope.
 *
 * @param rate documents sent per second; 0: all at once
 * @param interval the checkpoint interval, as the config writes it (e.g. 10s)
 */
public record SoakBench(int docs, double rate, String model, String interval) {
  public SoakBench {
    if (docs <= 0 || rate < 0) {
      throw new IllegalArgumentException("--docs must be positive and --rate not negative");
    }
  }

  /** One completed checkpoint's figures. */
  public record Row(
      double seconds,
      long selected,
      double rate,
      long checkpoint,
      long durationMs,
      long stateBytes,
      long dirBytes,
      long rocksDbBytes,
      long heapBytes) {}

  /**
   * Runs the soak, printing a row after each completed checkpoint and the heap's slope at the end.
   */
  public void run(PrintWriter out) throws Exception {
    Path work = Files.createTempDirectory("nag-bench-soak");
    try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
      Map<String, String> env = new HashMap<>(System.getenv());
      env.put("NAG_KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers());
      env.put("NAG_MODEL_PATH", model);
      env.put("NAG_CHECKPOINTS_INTERVAL", interval);
      env.put("NAG_CHECKPOINTS_DIR", work.resolve("checkpoints").toUri().toString());
      JobConfig config = JobConfig.load(Path.of("config/local.yaml"), env);
      kafka.createTopics(JobTopics.toCreate(config));
      TorchThreads.configureForWorkers(config.get(ConfigKeys.MODEL_WORKERS));
      int restPort = Demo.freePort(8081);
      Configuration flink = FlinkSettings.defaults(config);
      flink.set(RestOptions.PORT, restPort);
      // the live RocksDB instances, so that their size on disk can be reported
      flink.set(
          ConfigOptions.key("state.backend.rocksdb.localdir").stringType().noDefaultValue(),
          work.resolve("rocksdb").toString());
      StreamExecutionEnvironment senv = StreamExecutionEnvironment.getExecutionEnvironment(flink);
      senv.setParallelism(2);
      SelectorApp.assemble(senv, config, SelectorApp.fingerprint(config));
      JobClient job = senv.executeAsync("bench-soak");
      List<Row> rows = new ArrayList<>();
      try (KafkaProducer<byte[], byte[]> producer =
              new KafkaProducer<>(
                  KafkaClientConfig.with(KafkaClientConfig.of(config)),
                  new ByteArraySerializer(),
                  new ByteArraySerializer());
          KafkaConsumer<byte[], byte[]> selected =
              new KafkaConsumer<>(
                  KafkaClientConfig.with(
                      KafkaClientConfig.of(config),
                      "group.id",
                      "soak",
                      "auto.offset.reset",
                      "earliest",
                      "isolation.level",
                      "read_committed"),
                  new ByteArrayDeserializer(),
                  new ByteArrayDeserializer())) {
        // the job must have applied the target before the clock starts (job start, model load)
        try (ControlClient control = ControlClient.open(config)) {
          String id =
              control.send(
                  TargetCommand.newBuilder()
                      .setType(CommandType.UPSERT)
                      .setTarget("all")
                      .setExampleTexts(List.of("A question about the physics of stars."))
                      .setPolicy(new TargetPolicy(PolicyKind.THRESHOLD, 0.0)));
          control.awaitAll(List.of(id), Duration.ofMinutes(2));
        }
        selected.subscribe(List.of("selected"));
        List<String> texts = GeneratedTexts.texts(new SplittableRandom(7), docs, "");
        long start = System.nanoTime();
        int sent = 0;
        long count = 0;
        long lastCheckpoint = -1;
        double lastSeconds = 0;
        long lastCount = 0;
        out.printf(
            "%8s %9s %8s %6s %8s %11s %11s %11s %9s%n",
            "time s",
            "selected",
            "docs/s",
            "chkpt",
            "dur ms",
            "state B",
            "dir B",
            "rocksdb B",
            "heap MB");
        while (count < docs) {
          double seconds = (System.nanoTime() - start) / 1e9;
          int due = rate == 0 ? docs : (int) Math.min(docs, seconds * rate);
          while (sent < due) {
            producer.send(new ProducerRecord<>("crawl", crawl(sent, texts.get(sent))));
            sent++;
          }
          count += selected.poll(Duration.ofMillis(500)).count();
          JsonNode latest = checkpoints(restPort, job).path("latest").path("completed");
          long id = latest.path("id").asLong(-1);
          if (id > lastCheckpoint && id > 0) {
            lastCheckpoint = id;
            System.gc();
            long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
            double now = (System.nanoTime() - start) / 1e9;
            Row row =
                new Row(
                    now,
                    count,
                    (count - lastCount) / Math.max(now - lastSeconds, 1e-9),
                    id,
                    latest.path("end_to_end_duration").asLong(),
                    latest.path("checkpointed_size").asLong(latest.path("state_size").asLong()),
                    size(work.resolve("checkpoints")),
                    size(work.resolve("rocksdb")),
                    heap);
            rows.add(row);
            lastSeconds = now;
            lastCount = count;
            out.printf(
                "%8.0f %9d %8.1f %6d %8d %11d %11d %11d %9.1f%n",
                row.seconds(),
                row.selected(),
                row.rate(),
                row.checkpoint(),
                row.durationMs(),
                row.stateBytes(),
                row.dirBytes(),
                row.rocksDbBytes(),
                row.heapBytes() / 1048576.0);
            out.flush();
          }
          if (seconds > 6 * 3600) {
            throw new IllegalStateException("the soak did not finish within 6 hours");
          }
        }
        double total = (System.nanoTime() - start) / 1e9;
        out.printf("selected %d documents in %.0f s: %.1f docs/s%n", count, total, count / total);
        List<Row> late = rows.subList(rows.size() / 4, rows.size());
        out.printf(
            "heap after GC, slope over the last 3/4 of the checkpoints: %.2f MB per 1,000 documents (%d checkpoints)%n",
            slope(late) * 1000 / 1048576.0, late.size());
      } finally {
        job.cancel().get();
      }
    } finally {
      TempDirs.deleteTree(work);
    }
  }

  /** Least-squares slope of heap bytes over documents selected. */
  public static double slope(List<Row> rows) {
    int n = rows.size();
    if (n < 2) {
      return 0;
    }
    double mx = rows.stream().mapToDouble(Row::selected).average().orElse(0);
    double my = rows.stream().mapToDouble(Row::heapBytes).average().orElse(0);
    double sxy = 0;
    double sxx = 0;
    for (Row r : rows) {
      sxy += (r.selected() - mx) * (r.heapBytes() - my);
      sxx += (r.selected() - mx) * (r.selected() - mx);
    }
    return sxx == 0 ? 0 : sxy / sxx;
  }

  private static JsonNode checkpoints(int port, JobClient job) throws Exception {
    HttpResponse<String> r =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(
                        URI.create(
                            "http://localhost:"
                                + port
                                + "/jobs/"
                                + job.getJobID()
                                + "/checkpoints"))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    return new ObjectMapper().readTree(r.body());
  }

  /** Bytes of the files under {@code dir}; files Flink deletes during the walk are skipped. */
  private static long size(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return 0;
    }
    long[] total = {0};
    Files.walkFileTree(
        dir,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
            total[0] += attrs.size();
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFileFailed(Path file, IOException e) {
            return FileVisitResult
                .CONTINUE; // removed meanwhile: an old checkpoint, a compacted SST
          }

          @Override
          public FileVisitResult postVisitDirectory(Path d, IOException e) {
            return FileVisitResult.CONTINUE;
          }
        });
    return total[0];
  }

  private static byte[] crawl(int i, String text) throws Exception {
    return RecordFormat.AVRO.encode(
        CrawlDocument.newBuilder().setId("s" + i).setText(text).build());
  }
}
