package io.nagselector.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The few calls of Flink's REST API that running and checking a cluster needs. */
public final class FlinkRest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final String base;

  public FlinkRest(int port) {
    this.base = "http://127.0.0.1:" + port;
  }

  public String url() {
    return base;
  }

  /** GET {@code path} as JSON; throws {@link IOException} on a connection error or non-2xx. */
  public JsonNode get(String path) throws IOException, InterruptedException {
    return send(HttpRequest.newBuilder(URI.create(base + path)).GET());
  }

  /** Whether the REST endpoint answers at all. */
  public boolean answers() {
    try {
      get("/config");
      return true;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** {@code /jobs/overview}: every job's id, name and state. */
  public List<JsonNode> jobs() throws IOException, InterruptedException {
    List<JsonNode> jobs = new ArrayList<>();
    get("/jobs/overview").path("jobs").forEach(jobs::add);
    return jobs;
  }

  public void cancel(String jobId) throws IOException, InterruptedException {
    send(
        HttpRequest.newBuilder(URI.create(base + "/jobs/" + jobId + "?mode=cancel"))
            .method("PATCH", HttpRequest.BodyPublishers.noBody()));
  }

  /** Stops the job with a savepoint in {@code dir}; waits for it and returns its location. */
  public String stopWithSavepoint(String jobId, Path dir, Duration timeout)
      throws IOException, InterruptedException {
    return stopWithSavepoint(jobId, dir.toUri().toString(), timeout);
  }

  /** The same into a directory given as a URI ({@code s3p://bucket/savepoints}, say). */
  public String stopWithSavepoint(String jobId, String dir, Duration timeout)
      throws IOException, InterruptedException {
    String trigger =
        post("/jobs/" + jobId + "/stop", Map.of("targetDirectory", dir, "drain", false))
            .path("request-id")
            .asText();
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      JsonNode status = get("/jobs/" + jobId + "/savepoints/" + trigger);
      if (status.path("status").path("id").asText().equals("COMPLETED")) {
        JsonNode operation = status.path("operation");
        if (operation.has("failure-cause")) {
          throw new IOException("stop with savepoint failed: " + operation.get("failure-cause"));
        }
        return operation.path("location").asText();
      }
      Thread.sleep(200);
    }
    throw new IOException("no savepoint of job " + jobId + " within " + timeout);
  }

  JsonNode post(String path, Object body) throws IOException, InterruptedException {
    return send(
        HttpRequest.newBuilder(URI.create(base + path))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body))));
  }

  JsonNode send(HttpRequest.Builder request) throws IOException, InterruptedException {
    HttpResponse<byte[]> response =
        http.send(
            request.timeout(Duration.ofSeconds(60)).build(),
            HttpResponse.BodyHandlers.ofByteArray());
    String text = new String(response.body(), StandardCharsets.UTF_8);
    if (response.statusCode() / 100 != 2) {
      throw new IOException(
          response.request().method()
              + " "
              + response.request().uri()
              + ": HTTP "
              + response.statusCode()
              + ": "
              + (text.length() > 4000 ? text.substring(0, 4000) + "..." : text));
    }
    return text.isBlank() ? JSON.createObjectNode() : JSON.readTree(text);
  }
}
