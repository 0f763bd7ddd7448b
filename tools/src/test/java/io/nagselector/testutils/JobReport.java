package io.nagselector.testutils;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;

/**
 * What a running job looks like through Flink's REST API, in a few lines: its status, its
 * checkpoints, each operator's input watermark and the latest exception. A test prints it when it
 * gives up waiting, so that a failure on a machine whose logs are gone still says where the job
 * stood.
 */
public final class JobReport {
  private static final ObjectMapper JSON = new ObjectMapper();

  private JobReport() {}

  /** The report of {@code job} on the cluster whose client configuration is {@code client}. */
  public static String of(Configuration client, JobID job) {
    URI base =
        URI.create(
            "http://" + client.get(RestOptions.ADDRESS) + ":" + client.get(RestOptions.PORT) + "/");
    StringBuilder out = new StringBuilder();
    try {
      String path = "jobs/" + job;
      JsonNode overview = get(base, path);
      out.append("job ").append(job).append(": ").append(overview.path("state").asText());
      JsonNode counts = get(base, path + "/checkpoints").path("counts");
      out.append("; checkpoints ").append(counts);
      for (JsonNode v : overview.path("vertices")) {
        JsonNode marks = get(base, path + "/vertices/" + v.path("id").asText() + "/watermarks");
        out.append("\n  ").append(v.path("name").asText()).append(": ");
        for (JsonNode m : marks) {
          out.append(m.path("id").asText()).append('=').append(m.path("value").asText());
          out.append(' ');
        }
      }
      JsonNode entries = get(base, path + "/exceptions").path("exceptionHistory").path("entries");
      out.append("\n  exceptions: ").append(entries.size());
      if (entries.size() > 0) {
        String trace = entries.get(0).path("stacktrace").asText();
        out.append(", the latest: ").append(trace, 0, Math.min(trace.length(), 600));
      }
    } catch (Exception e) {
      out.append(" (the REST API did not answer: ").append(e).append(')');
    }
    return out.toString();
  }

  private static JsonNode get(URI base, String path) throws Exception {
    HttpResponse<String> response =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(base.resolve(path)).build(),
                HttpResponse.BodyHandlers.ofString());
    return JSON.readTree(response.body());
  }
}
