package io.nagselector.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import io.nagselector.io.UserInputException;
import io.nagselector.job.JobMain;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.JobID;

/**
 * The job in a local application cluster, as the Flink Kubernetes operator would run it: the
 * operator's settings for an application deployment, and TaskManagers that are replaced when they
 * die, as Kubernetes replaces a TaskManager pod. For {@code cluster} and {@code demo
 * --flink-cluster}.
 */
public final class SupervisedCluster implements AutoCloseable {
  private static final Duration START_TIMEOUT = Duration.ofSeconds(120);
  private final LocalFlinkCluster cluster;
  private final PrintWriter out;
  private final Thread supervisor;
  private volatile boolean closing;

  private SupervisedCluster(LocalFlinkCluster cluster, int taskManagers, PrintWriter out)
      throws IOException {
    this.cluster = cluster;
    this.out = out;
    for (int i = 0; i < taskManagers; i++) {
      announce(cluster.startTaskManager(), "TaskManager");
    }
    supervisor = new Thread(this::supervise, "taskmanager-supervisor");
    supervisor.setDaemon(true);
    supervisor.start();
  }

  /**
   * Starts the job of {@code jobConfig} (an absolute path; {@code environment} holds its {@code
   * NAG_*} overrides) with the jars {@code mvn package} left in {@code target}; logs go to {@code
   * work}/log.
   */
  public static SupervisedCluster start(
      Path target,
      Path work,
      Path jobConfig,
      Map<String, String> environment,
      int taskManagers,
      PrintWriter out)
      throws IOException, InterruptedException {
    LocalFlinkCluster cluster =
        LocalFlinkCluster.application(
            LocalFlinkCluster.Layout.of(target),
            work,
            operatorSettings(),
            environment,
            JobMain.class.getName(),
            List.of(JobMain.CONFIG_OPTION, jobConfig.toAbsolutePath().toString()),
            null);
    try {
      cluster.awaitRest(START_TIMEOUT);
    } catch (IOException e) {
      cluster.close();
      throw e;
    }
    out.printf(
        "Flink: an application cluster of separate JVMs, web UI at %s (JobManager pid %d; logs in"
            + " %s)%n",
        cluster.rest().url(), cluster.jobManager().pid(), work.resolve("log"));
    out.flush();
    return new SupervisedCluster(cluster, taskManagers, out);
  }

  /** What the operator sets for an application deployment, and quick failure detection. */
  public static Map<String, String> operatorSettings() {
    Map<String, String> c = new LinkedHashMap<>();
    c.put("execution.shutdown-on-application-finish", "false");
    c.put("execution.submit-failed-job-on-application-error", "true");
    c.put("$internal.pipeline.job-id", new JobID().toHexString());
    c.put("cluster.intercept-user-system-exit", "THROW");
    c.put("restart-strategy.type", "fixed-delay");
    c.put("restart-strategy.fixed-delay.attempts", "1000");
    c.put("restart-strategy.fixed-delay.delay", "2 s");
    c.put("heartbeat.interval", "2000");
    c.put("heartbeat.timeout", "10000");
    return c;
  }

  /**
   * Waits until the job runs and returns its id; a job that failed to start (a bad config,
   * unreachable brokers) throws with the reason the JobManager gives.
   */
  public String awaitRunning(Duration timeout) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      for (JsonNode job : cluster.rest().jobs()) {
        String id = job.path("jid").asText();
        switch (job.path("state").asText()) {
          case "RUNNING" -> {
            return id;
          }
          case "FAILED" -> throw new UserInputException("the job failed to start: " + reason(id));
          default -> {
            // still starting
          }
        }
      }
      if (!cluster.jobManager().isAlive()) {
        throw new IOException("the JobManager exited; its log: " + cluster.jobManagerLog());
      }
      Thread.sleep(300);
    }
    throw new IOException("the job did not start within " + timeout);
  }

  /** The innermost cause of the job's first failure, from the REST API. */
  private String reason(String job) throws IOException, InterruptedException {
    String trace =
        cluster
            .rest()
            .get("/jobs/" + job + "/exceptions")
            .path("exceptionHistory")
            .path("entries")
            .path(0)
            .path("stacktrace")
            .asText();
    String reason = trace.lines().findFirst().orElse("(no exception recorded)");
    for (String line : trace.lines().toList()) {
      if (line.startsWith("Caused by: ")) {
        reason = line.substring("Caused by: ".length());
      }
    }
    return reason.replaceFirst("^io\\.nagselector\\.io\\.UserInputException: ", "");
  }

  public LocalFlinkCluster cluster() {
    return cluster;
  }

  private void supervise() {
    while (!closing) {
      try {
        Thread.sleep(500);
        for (Process p : cluster.taskManagers()) {
          if (!p.isAlive() && !closing) {
            cluster.kill(p);
            out.printf(
                "%nTaskManager pid %d exited (%d); starting a new one, as Kubernetes would%n",
                p.pid(), p.exitValue());
            announce(cluster.startTaskManager(), "new TaskManager");
          }
        }
        if (!cluster.jobManager().isAlive() && !closing) {
          out.printf("%nthe JobManager exited (%d)%n", cluster.jobManager().exitValue());
          out.flush();
          return;
        }
      } catch (InterruptedException e) {
        return;
      } catch (IOException e) {
        out.println("cannot start a TaskManager: " + e.getMessage());
        out.flush();
      }
    }
  }

  private void announce(Process taskManager, String what) {
    out.printf(
        "%s pid %d (kill -9 %d: the job fails over and a new TaskManager takes over)%n",
        what, taskManager.pid(), taskManager.pid());
    out.flush();
  }

  /**
   * Stops the job with a savepoint in {@code dir} (its checkpoint commits the last output: Kafka
   * transactions, dataset shards), then the cluster; if the savepoint fails, says so and stops.
   */
  public void stopWithSavepoint(String jobId, Path dir, Duration timeout) {
    closing = true; // the JobManager of an application cluster exits when its job ends
    try {
      cluster.rest().stopWithSavepoint(jobId, dir, timeout);
    } catch (IOException e) {
      out.println("stop with savepoint failed, cancelling: " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      close();
    }
  }

  @Override
  public void close() {
    closing = true;
    supervisor.interrupt();
    cluster.close();
  }
}
