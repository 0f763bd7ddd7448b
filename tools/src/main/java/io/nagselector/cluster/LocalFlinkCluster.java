package io.nagselector.cluster;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A Flink cluster of separate JVMs on this machine, started the way the flink image starts them:
 * Flink's own entry points, Flink's jars (target/flink-dist/lib) plus nag-selector-lib.jar on the
 * system classpath, and in application mode the job jar copied into usrlib/, loaded by Flink's user
 * classloader. The JobManager runs the job (application mode; the tests also start session
 * clusters); TaskManagers come and go on demand.
 */
public final class LocalFlinkCluster implements AutoCloseable {
  static final String APPLICATION_ENTRY =
      "org.apache.flink.container.entrypoint.StandaloneApplicationClusterEntryPoint";
  static final String TASK_MANAGER = "org.apache.flink.runtime.taskexecutor.TaskManagerRunner";

  /** Where the pieces are: Flink's lib, the DJL/natives jar for lib/, the job jar for usrlib/. */
  public record Layout(Path flinkLib, Path libJar, Path jobJar) {
    /** The layout {@code mvn package} leaves in {@code target}. */
    public static Layout of(Path target) {
      Layout layout =
          new Layout(
              target.resolve("flink-dist/lib").toAbsolutePath(),
              target.resolve("nag-selector-lib.jar").toAbsolutePath(),
              target.resolve("nag-selector-job.jar").toAbsolutePath());
      for (Path p : List.of(layout.flinkLib, layout.libJar, layout.jobJar)) {
        if (!Files.exists(p)) {
          throw new IllegalStateException(p + " is missing: build it with ./mvnw package");
        }
      }
      return layout;
    }
  }

  private final Path work;
  private final FlinkJvms jvms;
  private final FlinkRest rest;
  private final List<Process> taskManagers = new ArrayList<>();
  private Process jobManager;
  String jobManagerEntry;
  List<String> jobManagerArgs;
  private int taskManagersStarted;

  LocalFlinkCluster(
      Layout layout, Path work, Map<String, String> flinkConfig, Map<String, String> environment)
      throws IOException {
    this.work = work.toAbsolutePath();
    int restPort = freePort();
    this.rest = new FlinkRest(restPort);
    Map<String, String> config = new LinkedHashMap<>();
    config.put("jobmanager.rpc.address", "127.0.0.1");
    config.put("jobmanager.rpc.port", Integer.toString(freePort()));
    config.put("jobmanager.bind-host", "127.0.0.1");
    config.put("taskmanager.bind-host", "127.0.0.1");
    config.put("taskmanager.host", "127.0.0.1");
    config.put("rest.address", "127.0.0.1");
    config.put("rest.bind-address", "127.0.0.1");
    config.put("rest.port", Integer.toString(restPort));
    config.put("jobmanager.memory.process.size", "1024m");
    config.put("taskmanager.memory.process.size", "2048m");
    config.put("taskmanager.numberOfTaskSlots", "2");
    config.putAll(flinkConfig);
    jvms = new FlinkJvms(layout, this.work, environment, config);
  }

  /**
   * An application cluster whose JobManager runs {@code entryClass} of the job jar (in usrlib/)
   * with {@code programArgs}, restoring {@code savepoint} when it is not null.
   */
  public static LocalFlinkCluster application(
      Layout layout,
      Path work,
      Map<String, String> flinkConfig,
      Map<String, String> environment,
      String entryClass,
      List<String> programArgs,
      String savepoint)
      throws IOException {
    LocalFlinkCluster cluster = new LocalFlinkCluster(layout, work, flinkConfig, environment);
    Path usrlib = cluster.work.resolve("usrlib");
    Files.createDirectories(usrlib);
    // a symlinked jar in usrlib/ is ignored by Flink: copy it
    Files.copy(
        layout.jobJar(),
        usrlib.resolve(layout.jobJar().getFileName()),
        StandardCopyOption.REPLACE_EXISTING);
    List<String> args = new ArrayList<>(List.of("--job-classname", entryClass));
    if (savepoint != null) {
      args.addAll(List.of("--fromSavepoint", savepoint));
    }
    args.addAll(programArgs);
    cluster.startJobManager(APPLICATION_ENTRY, args);
    return cluster;
  }

  void startJobManager(String entryClass, List<String> args) throws IOException {
    jobManagerEntry = entryClass;
    jobManagerArgs = args;
    jobManager = jvms.start("jobmanager", entryClass, args);
  }

  /** Starts one more TaskManager JVM, as taskmanager.sh would. */
  public synchronized Process startTaskManager() throws IOException {
    Process p = jvms.start("taskmanager-" + (++taskManagersStarted), TASK_MANAGER, List.of());
    taskManagers.add(p);
    return p;
  }

  /** {@code kill -9} of a TaskManager JVM; waits until it is gone. */
  public synchronized void kill(Process taskManager) throws InterruptedException {
    taskManager.destroyForcibly().waitFor();
    taskManagers.remove(taskManager);
  }

  public synchronized List<Process> taskManagers() {
    return List.copyOf(taskManagers);
  }

  public Process jobManager() {
    return jobManager;
  }

  public FlinkRest rest() {
    return rest;
  }

  public Path jobManagerLog() {
    return work.resolve("log/jobmanager.log");
  }

  /**
   * Waits until the REST API answers; fails with the end of the JobManager's output and log if it
   * exits first (a test's temporary directory, where the log is, is gone once it fails).
   */
  public void awaitRest(Duration timeout) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (!jobManager.isAlive()) {
        throw new IOException(
            "the JobManager exited with "
                + jobManager.exitValue()
                + "; its log: "
                + jobManagerLog()
                + "\n"
                + tail(work.resolve("log/jobmanager.out"))
                + "\n--- the end of its log ---\n"
                + tail(jobManagerLog()));
      }
      if (rest.answers()) {
        return;
      }
      Thread.sleep(200);
    }
    throw new IOException("the JobManager's REST API did not answer within " + timeout);
  }

  static String tail(Path file) {
    try {
      List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    } catch (IOException e) {
      return "(no " + file + ")";
    }
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  /** Stops every JVM of the cluster (TaskManagers first). */
  @Override
  public synchronized void close() {
    for (Process p : taskManagers) {
      p.destroyForcibly();
    }
    if (jobManager != null) {
      jobManager.destroy();
    }
    try {
      for (Process p : taskManagers) {
        p.waitFor();
      }
      if (jobManager != null && !jobManager.waitFor(10, TimeUnit.SECONDS)) {
        jobManager.destroyForcibly().waitFor();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    taskManagers.clear();
  }
}
