package io.nagselector.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.File;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.regex.Pattern;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.FallbackKey;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every key of every overlay's {@code flinkConfiguration} is one that Flink 2.2 (its {@code
 * ConfigOption}s on the classpath) or the Flink Kubernetes Operator 1.15.0 (its operator and
 * autoscaler options) knows, and none is deprecated: an unknown key is silently ignored, which is
 * how {@code job.autoscaler.scale-down.enabled} once passed.
 */
class FlinkConfigurationKeysTest {
  /** Keys under a name the user chooses (a reporter's, an external resource's). */
  private static final List<Pattern> DYNAMIC =
      List.of(
          Pattern.compile(
              "metrics\\.reporter\\.[^.]+\\.(factory\\.class|port|interval|scope\\..+)"),
          Pattern.compile("external-resource\\.[^.]+\\..+"));

  /** Flink's known keys, and its deprecated ones with what replaced them. */
  private record FlinkKeys(Set<String> current, Map<String, String> deprecated) {}

  private static FlinkKeys flinkKeys;

  @ParameterizedTest
  @ValueSource(strings = {"dev-cpu", "prod-gpu"})
  void everyKeyIsKnownAndNoneIsDeprecated(String overlay) throws Exception {
    JsonNode deployment =
        Manifests.one(
            Manifests.render(Path.of("k8s", "overlays", overlay)),
            "FlinkDeployment",
            "nag-selector");
    List<String> problems = new ArrayList<>();
    Iterator<String> keys = deployment.path("spec").path("flinkConfiguration").fieldNames();
    while (keys.hasNext()) {
      String problem = problem(keys.next());
      if (problem != null) {
        problems.add(problem);
      }
    }
    assertThat(problems).isEmpty();
  }

  @Test
  void theCheckKnowsWhatWentWrongBefore() throws Exception {
    assertThat(problem("job.autoscaler.scale-down.enabled"))
        .endsWith("unknown to Flink 2.2 and the operator 1.15.0");
    assertThat(problem("job.autoscaler.target.utilization"))
        .isEqualTo(
            "job.autoscaler.target.utilization is deprecated: use job.autoscaler.utilization.target");
    assertThat(problem("state.backend")).startsWith("state.backend is deprecated: use ");
    assertThat(problem("execution.checkpointing.interval")).isNull();
    assertThat(problem("kubernetes.operator.job.restart.failed")).isNull();
    assertThat(problem("metrics.reporter.prom.port")).isNull();
  }

  /** What is wrong with a key, or null. */
  private static String problem(String key) throws Exception {
    FlinkKeys flink = flinkKeys();
    Set<String> operator = operatorKeys();
    String replacement = flink.deprecated().get(key);
    if (replacement == null && key.equals("job.autoscaler.target.utilization")) {
      replacement = "job.autoscaler.utilization.target"; // the operator's, renamed in 1.8
    }
    if (replacement != null) {
      return key + " is deprecated: use " + replacement;
    }
    if (flink.current().contains(key)
        || operator.contains(key)
        || operator.contains(key.replaceFirst("^kubernetes\\.operator\\.", ""))
        || DYNAMIC.stream().anyMatch(p -> p.matcher(key).matches())) {
      return null;
    }
    return key + " is unknown to Flink 2.2 and the operator 1.15.0";
  }

  private static Set<String> operatorKeys() throws Exception {
    Set<String> keys = new HashSet<>();
    for (String line :
        Files.readAllLines(Path.of("tools/src/test/resources/flink-operator-1.15.0-keys.txt"))) {
      if (!line.isBlank() && !line.startsWith("#")) {
        keys.add(line.trim());
      }
    }
    return keys;
  }

  /** Every ConfigOption declared in a Flink *Options class on the classpath. */
  private static synchronized FlinkKeys flinkKeys() throws Exception {
    if (flinkKeys != null) {
      return flinkKeys;
    }
    Set<String> current = new HashSet<>();
    Map<String, String> deprecated = new HashMap<>();
    for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
      if (!entry.contains("flink") || !entry.endsWith(".jar")) {
        continue;
      }
      try (JarFile jar = new JarFile(entry)) {
        Enumeration<JarEntry> entries = jar.entries();
        while (entries.hasMoreElements()) {
          String name = entries.nextElement().getName();
          if (name.startsWith("org/apache/flink/")
              && name.endsWith("Options.class")
              && !name.contains("$")) {
            options(name.replace('/', '.').replace(".class", ""), current, deprecated);
          }
        }
      }
    }
    flinkKeys = new FlinkKeys(current, deprecated);
    return flinkKeys;
  }

  private static void options(
      String className, Set<String> current, Map<String, String> deprecated) {
    Class<?> type;
    try {
      type = Class.forName(className, false, FlinkConfigurationKeysTest.class.getClassLoader());
    } catch (Throwable e) {
      return; // a class whose dependencies are not here declares nothing we use
    }
    Field[] fields;
    try {
      fields = type.getDeclaredFields();
    } catch (Throwable e) {
      return;
    }
    for (Field f : fields) {
      if (!Modifier.isStatic(f.getModifiers()) || f.getType() != ConfigOption.class) {
        continue;
      }
      ConfigOption<?> option;
      try {
        f.setAccessible(true);
        option = (ConfigOption<?>) f.get(null);
      } catch (Throwable e) {
        continue;
      }
      if (f.isAnnotationPresent(Deprecated.class)) {
        deprecated.putIfAbsent(option.key(), "(the option is deprecated)");
      } else {
        current.add(option.key());
      }
      for (FallbackKey fallback : option.fallbackKeys()) {
        if (fallback.isDeprecated()) {
          deprecated.put(fallback.getKey(), option.key());
        }
      }
    }
  }
}
