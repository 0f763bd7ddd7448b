package io.nagselector.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * What only the tests do with a local Flink cluster: a session cluster whose jobs are submitted
 * through the REST API, a JobManager failover, a job's state, a TaskManager's log.
 */
public final class SessionClusters {
  static final String SESSION_ENTRY =
      "org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint";

  private SessionClusters() {}

  /** A session cluster: its JobManager runs nothing until a jar is run ({@link #runJar}). */
  public static LocalFlinkCluster start(
      LocalFlinkCluster.Layout layout,
      Path work,
      Map<String, String> flinkConfig,
      Map<String, String> environment)
      throws IOException {
    LocalFlinkCluster cluster = new LocalFlinkCluster(layout, work, flinkConfig, environment);
    cluster.startJobManager(SESSION_ENTRY, List.of());
    return cluster;
  }

  /**
   * {@code kill -9} of the JobManager, and a new one on the same ports, as Kubernetes restarts a
   * JobManager pod; the TaskManagers stay and register with the new one.
   */
  public static void failOverJobManager(LocalFlinkCluster cluster)
      throws IOException, InterruptedException {
    synchronized (cluster) {
      cluster.jobManager().destroyForcibly().waitFor();
      cluster.startJobManager(cluster.jobManagerEntry, cluster.jobManagerArgs);
    }
  }

  /** The log of the {@code n}th TaskManager started (from 1). */
  public static Path taskManagerLog(LocalFlinkCluster cluster, int n) {
    return cluster.jobManagerLog().resolveSibling("taskmanager-" + n + ".log");
  }

  /** The state of job {@code id} (RUNNING, FAILED, ...). */
  public static String state(FlinkRest rest, String id) throws IOException, InterruptedException {
    return rest.get("/jobs/" + id).path("state").asText();
  }

  /** Uploads a jar to a session cluster; returns its jar id. */
  public static String uploadJar(FlinkRest rest, Path jar)
      throws IOException, InterruptedException {
    String boundary = "----nag" + UUID.randomUUID();
    byte[] head =
        ("--"
                + boundary
                + "\r\nContent-Disposition: form-data; name=\"jarfile\"; filename=\""
                + jar.getFileName()
                + "\"\r\nContent-Type: application/x-java-archive\r\n\r\n")
            .getBytes(StandardCharsets.UTF_8);
    byte[] tail = ("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8);
    HttpRequest.BodyPublisher body =
        HttpRequest.BodyPublishers.concat(
            HttpRequest.BodyPublishers.ofByteArray(head),
            HttpRequest.BodyPublishers.ofFile(jar),
            HttpRequest.BodyPublishers.ofByteArray(tail));
    JsonNode answer =
        rest.send(
            HttpRequest.newBuilder(URI.create(rest.url() + "/jars/upload"))
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(body));
    return Path.of(answer.path("filename").asText()).getFileName().toString();
  }

  /** Runs an uploaded jar's {@code entryClass}; returns the job id. */
  public static String runJar(FlinkRest rest, String jarId, String entryClass, List<String> args)
      throws IOException, InterruptedException {
    JsonNode answer =
        rest.post(
            "/jars/" + jarId + "/run", Map.of("entryClass", entryClass, "programArgsList", args));
    return answer.path("jobid").asText();
  }
}
