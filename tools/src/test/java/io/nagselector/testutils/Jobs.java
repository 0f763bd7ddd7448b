package io.nagselector.testutils;

import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.flink.core.execution.JobClient;

/** What tests do with a running job. */
public final class Jobs {
  private static final Duration TERMINATION = Duration.ofMinutes(2);

  private Jobs() {}

  /**
   * Cancels the job and waits until every task has closed. Cancelling only asks: a test that then
   * stops the broker while a Kafka writer still aborts its transaction leaves that writer waiting a
   * minute for the broker, and its failure in the cancellation takes the MiniCluster's TaskManager
   * down for every later test of the class.
   */
  public static void cancel(JobClient job) throws Exception {
    job.cancel().get();
    try {
      job.getJobExecutionResult().get(TERMINATION.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException cancelled) {
      // the job's result is its cancellation
    }
  }
}
