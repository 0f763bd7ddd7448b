package io.nagselector.cluster;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Starts Flink's JVMs as its scripts do: Flink's jars and nag-selector-lib.jar on the classpath,
 * the flags flink-dist passes on Java 17, the memory settings BashJavaUtils computes from the
 * configuration, and a log file per process.
 */
final class FlinkJvms {
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

  /**
   * Starts {@code mainClass}, a JobManager entry point or the TaskManager runner, as {@code name}
   * (its log: log/NAME.log, its output: log/NAME.out).
   */
  Process start(String name, String mainClass, List<String> args) throws IOException {
    ResourceParams params =
        resourceParams(
            mainClass.equals(LocalFlinkCluster.TASK_MANAGER)
                ? "GET_TM_RESOURCE_PARAMS"
                : "GET_JM_RESOURCE_PARAMS");
    List<String> all = new ArrayList<>(params.dynamic());
    all.addAll(args);
    return launch(name, mainClass, params.jvm(), all);
  }

  private Process launch(String name, String mainClass, List<String> jvm, List<String> args)
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
    // plugins/ beside Flink's lib, as in Flink's distribution: the S3 filesystem (s3://, s3a://)
    Path plugins = layout.flinkLib().resolveSibling("plugins");
    if (Files.isDirectory(plugins)) {
      env.put("FLINK_PLUGINS_DIR", plugins.toString());
    }
    return env;
  }

  private String classpath() {
    return layout.flinkLib().resolve("*") + File.pathSeparator + layout.libJar();
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

  private final LocalFlinkCluster.Layout layout;
  private final Path work;
  private final Map<String, String> environment;

  /** Writes {@code config} as the cluster's config.yaml, with a log4j configuration. */
  FlinkJvms(
      LocalFlinkCluster.Layout layout,
      Path work,
      Map<String, String> environment,
      Map<String, String> config)
      throws IOException {
    this.layout = layout;
    this.work = work;
    this.environment = environment;
    StringBuilder yaml = new StringBuilder();
    config.forEach((k, v) -> yaml.append(k).append(": \"").append(v).append("\"\n"));
    write(conf().resolve("config.yaml"), yaml.toString());
    write(conf().resolve("log4j.properties"), LOG4J);
    Files.createDirectories(work.resolve("lib"));
    Files.createDirectories(work.resolve("log"));
  }
}
