package io.nagselector.job;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.nagselector.broker.EmbeddedKafka;
import io.nagselector.cluster.LocalFlinkCluster;
import io.nagselector.cluster.SessionClusters;
import io.nagselector.testutils.Await;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;

/** What {@link ClusterIT} waits for and reads on a cluster of separate JVMs. */
final class ClusterChecks {
  static final Duration WAIT = Duration.ofSeconds(90);

  private ClusterChecks() {}

  /** The one job of an application cluster, once it reaches {@code state}. */
  static String awaitJob(LocalFlinkCluster cluster, String state) throws Exception {
    try {
      return Await.value(
          "a job " + state,
          WAIT,
          () -> {
            assertThat(cluster.jobManager().isAlive()).as("the JobManager is alive").isTrue();
            for (JsonNode job : cluster.rest().jobs()) {
              if (job.path("state").asText().equals(state)) {
                return job.path("jid").asText();
              }
            }
            return null;
          });
    } catch (AssertionError e) {
      throw new AssertionError(
          e.getMessage()
              + ": "
              + cluster.rest().jobs()
              + "\nthe JobManager's log, its errors:\n"
              + errors(cluster.jobManagerLog()),
          e);
    }
  }

  /** The lines of a log that tell why something failed, at most 40. */
  private static String errors(Path log) throws IOException {
    return Files.readAllLines(log).stream()
        .filter(l -> l.contains("Exception") || l.contains("Caused by") || l.contains("ERROR"))
        .limit(40)
        .collect(Collectors.joining("\n"));
  }

  /** Waits until the job's consumer group has committed the crawl topic's end offsets. */
  static void awaitCrawlOffsetsCommitted(EmbeddedKafka kafka) throws Exception {
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
      Await.until(
          "the job's committed offsets to reach the crawl topic's end",
          WAIT,
          () -> {
            var committed =
                admin
                    .listConsumerGroupOffsets("nag-selector")
                    .partitionsToOffsetAndMetadata()
                    .get();
            long behind = 0;
            for (int p = 0; p < 2; p++) {
              var tp = new TopicPartition("crawl", p);
              long end =
                  admin
                      .listOffsets(Map.of(tp, OffsetSpec.latest()))
                      .partitionResult(tp)
                      .get()
                      .offset();
              behind += end - (committed.containsKey(tp) ? committed.get(tp).offset() : 0);
            }
            return behind == 0;
          });
    }
  }

  /** Waits until the JobManager has seen the job fail (a TaskManager lost). */
  static void awaitFailover(LocalFlinkCluster cluster, String job) throws Exception {
    Await.until("job " + job + " to fail over", WAIT, () -> !failovers(cluster, job).isEmpty());
  }

  /**
   * The job's failovers so far, one line each (its exception history's root causes): a fault that
   * causes more than one has cascaded.
   */
  static List<String> failovers(LocalFlinkCluster cluster, String job) throws Exception {
    List<String> causes = new ArrayList<>();
    cluster
        .rest()
        .get("/jobs/" + job + "/exceptions")
        .path("exceptionHistory")
        .path("entries")
        .forEach(
            e ->
                causes.add(
                    e.path("exceptionName").asText() + " on " + e.path("taskName").asText()));
    return causes;
  }

  static void awaitState(LocalFlinkCluster cluster, String job, String state) throws Exception {
    Await.until(
        "job " + job + " to reach " + state,
        WAIT,
        () -> SessionClusters.state(cluster.rest(), job).equals(state));
  }

  /** libtorch and tokenizer libraries mapped into a process, from /proc/PID/maps. */
  static Set<String> nativeLibraries(Process p) throws Exception {
    Set<String> libs = new TreeSet<>();
    for (String line : Files.readAllLines(Path.of("/proc", Long.toString(p.pid()), "maps"))) {
      String name = line.substring(line.lastIndexOf('/') + 1);
      if (name.startsWith("libtorch")
          || name.startsWith("libtokenizers")
          || name.startsWith("libc10")) {
        libs.add(name);
      }
    }
    return libs;
  }
}
