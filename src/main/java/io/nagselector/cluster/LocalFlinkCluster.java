package io.nagselector.cluster;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A Flink cluster of separate JVMs on this machine, started the way the flink image starts them:
 * Flink's own entry points, Flink's jars (target/flink-dist/lib) plus nag-selector-lib.jar on the
 * system classpath, and in application mode the job jar copied into usrlib/, loaded by Flink's user
 * classloader. The JobManager runs either the job (application mode) or nothing (a session cluster,
 * for jobs submitted through the REST API); TaskManagers come and go on demand.
 */
public final class LocalFlinkCluster implements AutoCloseable {
  static final String APPLICATION_ENTRY =
      "org.apache.flink.container.entrypoint.StandaloneApplicationClusterEntryPoint";
  static final String SESSION_ENTRY =
      "org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint";
  static final String TASK_MANAGER = "org.apache.flink.runtime.taskexecutor.TaskManagerRunner";

  /** What flink-dist's config passes to every Flink JVM on Java 17 (env.java.default-opts.all). */
  static final List<String> ADD_OPENS =
      List.of(
          "java.base/java.lang",
          "java.base/java.net",
          "java.base/java.io",
          "java.base/java.nio",
          "java.base/sun.nio.ch",
          "java.base/java.lang.reflect",
          "java.base/java.text",
          "java.base/java.time",
          "java.base/java.util",
          "java.base/java.util.concurrent",
          "java.base/java.util.concurrent.atomic",
          "java.base/java.util.concurrent.locks");

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

  private final Layout layout;
  private final Path work;
  private final Map<String, String> environment;
  private final int restPort;
  private final FlinkRest rest;
  private final List<Process> taskManagers = new ArrayList<>();
  private Process jobManager;
  private String jobManagerEntry;
  private List<String> jobManagerArgs;
  private int taskManagersStarted;

  private LocalFlinkCluster(
      Layout layout, Path work, Map<String, String> flinkConfig, Map<String, String> environment)
      throws IOException {
    this.layout = layout;
    this.work = work.toAbsolutePath();
    this.environment = environment;
    this.restPort = freePort();
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
    StringBuilder yaml = new StringBuilder();
    config.forEach((k, v) -> yaml.append(k).append(": \"").append(v).append("\"\n"));
    write(conf().resolve("config.yaml"), yaml.toString());
    write(conf().resolve("log4j.properties"), LOG4J);
    Files.createDirectories(this.work.resolve("lib"));
    Files.createDirectories(this.work.resolve("log"));
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

  /** A session cluster: jobs are submitted through the REST API ({@link FlinkRest#runJar}). */
  public static LocalFlinkCluster session(
      Layout layout, Path work, Map<String, String> flinkConfig, Map<String, String> environment)
      throws IOException {
    LocalFlinkCluster cluster = new LocalFlinkCluster(layout, work, flinkConfig, environment);
    cluster.startJobManager(SESSION_ENTRY, List.of());
    return cluster;
  }

  private void startJobManager(String entryClass, List<String> args) throws IOException {
    jobManagerEntry = entryClass;
    jobManagerArgs = args;
    ResourceParams params = resourceParams("GET_JM_RESOURCE_PARAMS");
    List<String> all = new ArrayList<>(params.dynamic());
    all.addAll(args);
    jobManager = start("jobmanager", entryClass, params.jvm(), all);
  }

  /**
   * {@code kill -9} of the JobManager, and a new one on the same ports, as Kubernetes restarts a
   * JobManager pod; the TaskManagers stay and register with the new one.
   */
  public synchronized void failOverJobManager() throws IOException, InterruptedException {
    jobManager.destroyForcibly().waitFor();
    startJobManager(jobManagerEntry, jobManagerArgs);
  }

  /** Starts one more TaskManager JVM, as taskmanager.sh would. */
  public synchronized Process startTaskManager() throws IOException {
    ResourceParams params = resourceParams("GET_TM_RESOURCE_PARAMS");
    Process p =
        start(
            "taskmanager-" + (++taskManagersStarted), TASK_MANAGER, params.jvm(), params.dynamic());
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

  public int restPort() {
    return restPort;
  }

  public Path jobManagerLog() {
    return work.resolve("log/jobmanager.log");
  }

  public Path taskManagerLog(int n) {
    return work.resolve("log/taskmanager-" + n + ".log");
  }

  /** Waits until the REST API answers; fails with the JobManager's output if it exits first. */
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
                + tail(work.resolve("log/jobmanager.out")));
      }
      if (rest.answers()) {
        return;
      }
      Thread.sleep(200);
    }
    throw new IOException("the JobManager's REST API did not answer within " + timeout);
  }

  private Process start(String name, String mainClass, List<String> jvm, List<String> args)
      throws IOException {
    List<String> command = new ArrayList<>();
    command.add(java());
    command.addAll(jvm);
    for (String open : ADD_OPENS) {
      command.add("--add-opens=" + open + "=ALL-UNNAMED");
    }
    command.add("-Dlog.file=" + work.resolve("log/" + name + ".log"));
    command.add("-Dlog4j.configurationFile=" + conf().resolve("log4j.properties").toUri());
    command.addAll(List.of("-cp", classpath(), mainClass, "--configDir", conf().toString()));
    command.addAll(args);
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .directory(work.toFile())
            .redirectErrorStream(true)
            .redirectOutput(work.resolve("log/" + name + ".out").toFile());
    builder.environment().putAll(flinkEnvironment());
    return builder.start();
  }

  /** A process's JVM flags and its -D memory settings. */
  private record ResourceParams(List<String> jvm, List<String> dynamic) {}

  /** Runs Flink's BashJavaUtils, as the scripts do, for a process's memory settings. */
  private ResourceParams resourceParams(String command) throws IOException {
    List<String> line =
        List.of(
            java(),
            "-cp",
            classpath(),
            "org.apache.flink.runtime.util.bash.BashJavaUtils",
            command,
            "--configDir",
            conf().toString());
    Process p = new ProcessBuilder(line).directory(work.toFile()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    List<List<String>> results = new ArrayList<>();
    for (String l : out.split("\n")) {
      if (l.startsWith("BASH_JAVA_UTILS_EXEC_RESULT:")) {
        String value = l.substring("BASH_JAVA_UTILS_EXEC_RESULT:".length()).trim();
        results.add(value.isEmpty() ? List.of() : List.of(value.split("\\s+")));
      }
    }
    try {
      p.waitFor();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (results.size() != 2) {
      throw new IOException("BashJavaUtils " + command + " failed:\n" + out);
    }
    return new ResourceParams(results.get(0), results.get(1));
  }

  private Map<String, String> flinkEnvironment() {
    Map<String, String> env = new LinkedHashMap<>(environment);
    env.put("FLINK_CONF_DIR", conf().toString());
    // usrlib/ is found next to FLINK_LIB_DIR
    env.put("FLINK_LIB_DIR", work.resolve("lib").toString());
    return env;
  }

  private String classpath() {
    return layout.flinkLib().resolve("*") + java.io.File.pathSeparator + layout.libJar();
  }

  private Path conf() {
    return work.resolve("conf");
  }

  private static String java() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  private static void write(Path file, String text) throws IOException {
    Files.createDirectories(file.getParent());
    Files.writeString(file, text, StandardCharsets.UTF_8);
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
    try (java.net.ServerSocket s =
        new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
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
      if (jobManager != null && !jobManager.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
        jobManager.destroyForcibly().waitFor();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    taskManagers.clear();
  }

  private static final String LOG4J =
      String.join(
          "\n",
          "rootLogger.level = INFO",
          "rootLogger.appenderRef.file.ref = MainAppender",
          "logger.kafka.name = org.apache.kafka",
          "logger.kafka.level = WARN",
          "appender.main.name = MainAppender",
          "appender.main.type = File",
          "appender.main.append = true",
          "appender.main.fileName = ${sys:log.file}",
          "appender.main.layout.type = PatternLayout",
          "appender.main.layout.pattern = %d{HH:mm:ss,SSS} %-5p %-50c{1.} - %m%n",
          "");
}
