package io.nagselector.demo;

import io.nagselector.avro.CommandStatus;
import io.nagselector.avro.CommandType;
import io.nagselector.avro.ControlEvent;
import io.nagselector.avro.PolicyKind;
import io.nagselector.avro.TargetCommand;
import io.nagselector.avro.TargetPolicy;
import io.nagselector.broker.EmbeddedKafka;
import io.nagselector.cluster.SupervisedCluster;
import io.nagselector.config.ConfigKeys;
import io.nagselector.config.FlinkSettings;
import io.nagselector.config.JobConfig;
import io.nagselector.config.KafkaClientConfig;
import io.nagselector.control.ControlClient;
import io.nagselector.control.TargetRules;
import io.nagselector.io.TempDirs;
import io.nagselector.job.SelectorApp;
import io.nagselector.kafka.JobTopics;
import io.nagselector.report.ReportHtml;
import io.nagselector.report.RunCollector;
import io.nagselector.report.RunData;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * {@code demo}: the real job end to end on this machine. An embedded KRaft broker, the job on a
 * local MiniCluster (RocksDB, web UI), the bundled model; the demo corpus streamed at a steady
 * rate, two targets sent through the control topic and one changed mid-stream; a live progress
 * line; at the end, per target, the top documents and the mean similarity per domain, the outputs
 * as files and an HTML report.
 */
public final class Demo {
  /** The demo's flags. */
  public record Options(
      String docs,
      Path targets,
      double fraction,
      int topK,
      String model,
      double rate,
      Path out,
      boolean keepRunning,
      int flinkClusterTaskManagers) {
    /** Whether the job runs on a local cluster of separate JVMs instead of a MiniCluster. */
    boolean flinkCluster() {
      return flinkClusterTaskManagers > 0;
    }
  }

  private static final Duration DRAIN_TIMEOUT = Duration.ofMinutes(2);

  private final Options o;
  private final PrintWriter out;
  private String webUi;

  public Demo(Options options, PrintWriter out) {
    this.o = options;
    this.out = out;
  }

  public int run() throws Exception {
    if (!(o.fraction() > 0 && o.fraction() <= 1)) {
      throw new IllegalArgumentException("--fraction must be in (0, 1], got " + o.fraction());
    }
    if (o.topK() <= 0 || !(o.rate() > 0)) {
      throw new IllegalArgumentException("--top-k and --rate must be positive");
    }
    List<DemoCorpus.Record> corpus = DemoCorpus.load(o.docs());
    List<DemoTargets.Target> targets = DemoTargets.load(o.targets());
    Path work = Files.createTempDirectory("nag-demo");
    TempDirs.deleteTree(dataset());
    CountDownLatch stopped = new CountDownLatch(1);
    try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
      Map<String, String> overrides = overrides(kafka, work);
      JobConfig config = config(work, overrides);
      kafka.createTopics(JobTopics.toCreate(config));
      say("Kafka: embedded KRaft broker at %s", kafka.bootstrapServers());
      String fingerprint = SelectorApp.fingerprint(config);
      say("model: %s (%s)", o.model(), fingerprint);
      try (AutoCloseable job = startJob(config, overrides, work, fingerprint)) {
        stream(config, corpus, targets);
        RunData data = RunCollector.collect(config);
        Files.createDirectories(o.out());
        data.writeTo(o.out());
        ReportHtml.write(data, o.out().resolve("report.html"));
        summary(data, corpus);
        if (o.keepRunning()) {
          say(
              "--keep-running: the job (%s) and the broker (%s) stay up; Ctrl-C stops them",
              webUi, kafka.bootstrapServers());
          waitForCtrlC(stopped);
        }
      }
    } finally {
      TempDirs.deleteTree(work);
      stopped.countDown();
    }
    return 0;
  }

  /**
   * The job on a local MiniCluster, or with {@code --flink-cluster} as the packaged job artifact in
   * a local application cluster of separate JVMs; closing it stops it.
   */
  private AutoCloseable startJob(
      JobConfig config, Map<String, String> overrides, Path work, String fingerprint)
      throws Exception {
    if (o.flinkCluster()) {
      Path jar = Path.of(Demo.class.getProtectionDomain().getCodeSource().getLocation().toURI());
      SupervisedCluster cluster =
          SupervisedCluster.start(
              jar.getParent(),
              work.resolve("flink"),
              work.resolve("demo.yaml"),
              overrides,
              o.flinkClusterTaskManagers(),
              out);
      String jobId;
      try {
        jobId = cluster.awaitRunning(Duration.ofMinutes(2));
      } catch (Exception e) {
        cluster.close();
        throw e;
      }
      webUi = cluster.cluster().rest().url();
      return () -> cluster.stopWithSavepoint(jobId, work.resolve("final"), Duration.ofMinutes(2));
    }
    int uiPort = freePort(8081);
    Configuration flink = FlinkSettings.defaults(config);
    flink.set(RestOptions.PORT, uiPort);
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(flink);
    SelectorApp.assemble(env, config, fingerprint);
    JobClient job = env.executeAsync("nag-selector demo");
    webUi = "http://localhost:" + uiPort;
    say("Flink: the job runs on a local MiniCluster, web UI at %s", webUi);
    // stopped with a savepoint: its checkpoint commits the last selections and dataset shards
    return () -> {
      try {
        job.stopWithSavepoint(
                false, work.resolve("final").toUri().toString(), SavepointFormatType.CANONICAL)
            .get(2, TimeUnit.MINUTES);
      } catch (Exception e) {
        job.cancel().get();
      }
    };
  }

  /** The demo's NAG_* overrides of demo.yaml: the broker, the work directory, the flags. */
  private Map<String, String> overrides(EmbeddedKafka kafka, Path work) {
    Map<String, String> env = new HashMap<>();
    env.put("NAG_KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers());
    env.put("NAG_CHECKPOINTS_DIR", work.resolve("checkpoints").toUri().toString());
    env.put(
        "NAG_MODEL_PATH",
        o.model().equals("default") ? o.model() : Path.of(o.model()).toAbsolutePath().toString());
    env.put("NAG_SELECTION_DEFAULT_VALUE", Double.toString(o.fraction()));
    env.put("NAG_SELECTION_TOP_K", Integer.toString(o.topK()));
    env.put("NAG_DATASET_PATH", dataset().toUri().toString());
    return env;
  }

  /** Where the demo writes the selection as a Parquet dataset (emptied first). */
  private Path dataset() {
    return o.out().resolve("dataset").toAbsolutePath();
  }

  private JobConfig config(Path work, Map<String, String> overrides) throws IOException {
    Path file = work.resolve("demo.yaml");
    try (InputStream in = Demo.class.getResourceAsStream("demo.yaml")) {
      Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
    }
    Map<String, String> env = new HashMap<>(System.getenv());
    env.putAll(overrides);
    return JobConfig.load(file, env);
  }

  /** Sends the targets, streams the corpus at the rate, changes a target half-way, drains. */
  private void stream(JobConfig c, List<DemoCorpus.Record> corpus, List<DemoTargets.Target> targets)
      throws Exception {
    DemoProgress progress = new DemoProgress(System.nanoTime());
    try (KafkaProducer<byte[], byte[]> producer =
            new KafkaProducer<>(
                KafkaClientConfig.with(KafkaClientConfig.of(c)),
                new ByteArraySerializer(),
                new ByteArraySerializer());
        DemoWatcher watcher = new DemoWatcher(c, progress);
        ControlClient control = ControlClient.open(c)) {
      List<String> sent = new ArrayList<>();
      for (DemoTargets.Target t : targets) {
        sent.add(
            control.send(
                TargetCommand.newBuilder()
                    .setType(CommandType.UPSERT)
                    .setTarget(t.name())
                    .setExampleTexts(t.examples())
                    .setPolicy(new TargetPolicy(PolicyKind.FRACTION, o.fraction()))
                    .setTopK(o.topK())));
      }
      awaitAnswers(control, sent);
      long start = System.nanoTime();
      long lastLine = 0;
      boolean changed = false;
      for (int i = 0; i < corpus.size(); i++) {
        long due = start + (long) (i * 1e9 / o.rate());
        while (System.nanoTime() < due) {
          watcher.poll(Duration.ofMillis(Math.max(1, (due - System.nanoTime()) / 1_000_000)));
        }
        producer.send(
            new ProducerRecord<>(c.get(ConfigKeys.KAFKA_TOPICS_CRAWL), corpus.get(i).value()));
        progress.sent++;
        if (!changed && i >= corpus.size() / 2) {
          changed = true;
          List<String> more = new ArrayList<>();
          for (DemoTargets.Target t : targets) {
            if (!t.more().isEmpty()) {
              more.add(
                  control.send(
                      TargetCommand.newBuilder()
                          .setType(CommandType.ADD_EXAMPLES)
                          .setTarget(t.name())
                          .setExampleTexts(t.more())));
            }
          }
          if (!more.isEmpty()) {
            clearLine();
            say(
                "half-way: %d more examples for %s",
                targets.stream().mapToInt(t -> t.more().size()).sum(), names(targets));
            awaitAnswers(control, more);
          }
        }
        if (System.nanoTime() - lastLine > 1_000_000_000L) {
          lastLine = System.nanoTime();
          progressLine(progress);
        }
      }
      producer.flush();
      long deadline = System.nanoTime() + DRAIN_TIMEOUT.toNanos();
      while (!progress.allAccountedFor() && System.nanoTime() < deadline) {
        watcher.poll(Duration.ofMillis(500));
        progressLine(progress);
      }
      if (!progress.allAccountedFor()) {
        throw new IllegalStateException(
            "the job did not account for every document within "
                + DRAIN_TIMEOUT
                + ": "
                + progress.line(System.nanoTime()));
      }
      // what a fraction target left undecided near its cut is decided within the max-hold; the
      // last decisions and top-k snapshots are committed with the next checkpoints
      long settle =
          System.nanoTime()
              + c.get(ConfigKeys.SELECTION_MAX_HOLD).toNanos()
              + 3
                  * Math.max(
                      c.get(ConfigKeys.CHECKPOINTS_INTERVAL).toNanos(),
                      c.get(ConfigKeys.SELECTION_TOP_K_INTERVAL).toNanos());
      while (System.nanoTime() < settle) {
        watcher.poll(Duration.ofMillis(300));
      }
      progressLine(progress);
      out.println();
      out.flush();
    }
  }

  private static String names(List<DemoTargets.Target> targets) {
    return String.join(
        ", ",
        targets.stream().filter(t -> !t.more().isEmpty()).map(DemoTargets.Target::name).toList());
  }

  private void awaitAnswers(ControlClient control, List<String> ids) {
    for (ControlEvent e : control.awaitAll(ids, Duration.ofMinutes(2))) {
      say("%s", TargetRules.describe(e));
      if (e.getStatus() != CommandStatus.APPLIED) {
        throw new IllegalStateException("the job refused a demo target: " + e.getMessage());
      }
    }
  }

  private void progressLine(DemoProgress progress) {
    out.print("\r" + progress.line(System.nanoTime()) + "   ");
    out.flush();
  }

  private void clearLine() {
    out.print("\r" + " ".repeat(120) + "\r");
  }

  private void summary(RunData data, List<DemoCorpus.Record> corpus) {
    Map<String, String> sources = new HashMap<>();
    corpus.forEach(
        r -> {
          if (r.id() != null) sources.put(r.id(), r.source());
        });
    for (RunData.Target t : data.targets()) {
      out.printf(
          Locale.ROOT,
          "%n%s: version %d, %s %s, %d documents accepted by this version, threshold in force %s%n",
          t.name(),
          t.version(),
          t.policy().toLowerCase(Locale.ROOT),
          t.policyValue(),
          t.accepted(),
          t.threshold() == null ? "-" : String.format(Locale.ROOT, "%.4f", t.threshold()));
      out.println("  top documents (published top-k):");
      int rank = 1;
      for (RunData.TopEntry e : t.topK()) {
        out.printf(
            Locale.ROOT,
            "  %2d  %.4f  %-8s %-22s %s%n",
            rank++,
            e.similarity(),
            sources.getOrDefault(e.id(), e.source()),
            e.id(),
            shorten(e.snippet(), 60));
      }
      out.println("  mean similarity per domain (every document, current profile):");
      Map<String, Double> means = data.meanBySource(t.name());
      double max = means.values().stream().max(Comparator.naturalOrder()).orElse(1.0);
      means.forEach(
          (domain, mean) ->
              out.printf(
                  Locale.ROOT,
                  "    %-10s %.4f %s%n",
                  domain,
                  mean,
                  "#".repeat((int) Math.round(30 * mean / max))));
    }
    Map<String, Long> reasons = new TreeMap<>();
    data.dead().forEach(d -> reasons.merge(d.reason(), 1L, Long::sum));
    out.printf("%ndead letters: %s%n", reasons.isEmpty() ? "none" : reasons);
    List<RunData.DuplicateRow> near = data.nearDuplicates();
    out.printf(
        Locale.ROOT,
        "duplicates skipped before inference: %d exact, %d near%s%n",
        data.duplicates().size() - near.size(),
        near.size(),
        near.stream()
                .limit(3)
                .map(
                    d ->
                        String.format(
                            Locale.ROOT,
                            " | %s ~ %s (%.2f)",
                            d.docId(),
                            d.duplicateOf(),
                            d.jaccard()))
                .reduce("", String::concat)
            + (near.size() > 3 ? " | …" : ""));
    out.printf(
        "outputs: %s (selected documents), %s (dead letters), %s (report), %s (the Parquet"
            + " dataset)%n",
        o.out().resolve(RunData.SELECTED),
        o.out().resolve(RunData.DEAD_LETTERS),
        o.out().resolve("report.html"),
        dataset());
    out.flush();
  }

  private static String shorten(String s, int n) {
    return s.length() <= n ? s : s.substring(0, n - 1) + "…";
  }

  private void say(String format, Object... args) {
    out.printf(Locale.ROOT, format + "%n", args);
    out.flush();
  }

  /**
   * Returns on Ctrl-C; the JVM then waits (up to a minute) until {@code stopped} is counted down.
   */
  private static void waitForCtrlC(CountDownLatch stopped) throws InterruptedException {
    CountDownLatch interrupted = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  interrupted.countDown();
                  try {
                    stopped.await(1, TimeUnit.MINUTES);
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                }));
    interrupted.await();
  }

  /** The first free port from {@code first}: the web UI's usual port unless it is taken. */
  public static int freePort(int first) {
    for (int port = first; port < first + 100; port++) {
      try (ServerSocket s = new ServerSocket(port)) {
        return port;
      } catch (IOException taken) {
        // try the next
      }
    }
    throw new IllegalStateException("no free port in " + first + "-" + (first + 99));
  }
}
