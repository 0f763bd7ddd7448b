package io.nagselector.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code k8s/install.sh OVERLAY} installs in an order a fresh cluster takes: run with stand-ins for
 * {@code kubectl} and {@code helm} that record every call (no API server runs here, so this checks
 * the order of the calls, not a cluster), every namespace exists before anything is put in it (the
 * overlay's rendered objects included, and the roles the operators' charts put into the namespaces
 * they watch), and the Flink and Strimzi operators watch the namespace the overlay deploys into.
 */
class InstallScriptTest {
  private static final Pattern WATCH = Pattern.compile("watchNamespaces=\\{([^}]*)}");
  @TempDir Path dir;

  @ParameterizedTest
  @ValueSource(strings = {"dev-cpu", "prod-gpu"})
  void createsEachNamespaceBeforeUsingItAndTheOperatorsWatchTheOverlays(String overlay)
      throws Exception {
    Set<String> rendered = new TreeSet<>();
    for (JsonNode doc : Manifests.render(Path.of("k8s/overlays", overlay))) {
      if (doc.path("metadata").has("namespace")) {
        rendered.add(doc.path("metadata").path("namespace").asText());
      }
    }
    assertThat(rendered).as(overlay + " deploys into one namespace").hasSize(1);
    String namespace = rendered.iterator().next();

    List<String> calls =
        run(overlay, Map.of("AWS_ACCESS_KEY_ID", "a", "AWS_SECRET_ACCESS_KEY", "s"));
    Set<String> created = new HashSet<>();
    List<String> watched = new ArrayList<>();
    for (String call : calls) {
      List<String> words = List.of(call.split(" "));
      String into = option(words, "-n", "--namespace");
      if (call.startsWith("kubectl create namespace ")) {
        created.add(words.get(3));
      } else if (call.startsWith("kubectl apply -f https://github.com/cert-manager/")) {
        created.add("cert-manager"); // its manifest makes its namespace first
      } else if (call.startsWith("helm ") && words.contains("--create-namespace")) {
        created.add(into);
      } else if (call.startsWith("kubectl apply -k ")) {
        assertThat(created).as(call + " puts objects into " + rendered).containsAll(rendered);
      }
      if (into != null) {
        assertThat(created).as("before: " + call).contains(into);
      }
      Matcher watch = WATCH.matcher(call);
      if (call.startsWith("helm upgrade --install") && watch.find()) {
        watched.add(words.get(3) + " watches " + watch.group(1));
        assertThat(List.of(watch.group(1).split(","))).as(call).contains(namespace);
        // the charts put a service account and roles into each namespace they watch
        assertThat(created).as("before: " + call).contains(watch.group(1).split(","));
      }
    }
    assertThat(watched)
        .as("the operators the script installs")
        .containsExactly(
            "flink-kubernetes-operator watches " + namespace,
            "strimzi-cluster-operator watches " + namespace);
    assertThat(calls)
        .as("the S3 secret, then the overlay last")
        .anyMatch(
            c -> c.startsWith("kubectl -n " + namespace + " create secret generic nag-selector-s3"))
        .last()
        .isEqualTo("kubectl apply -k " + new File("k8s/overlays/" + overlay).getAbsolutePath());
  }

  /** The kubectl and helm calls of one run of the script, in order. */
  private List<String> run(String overlay, Map<String, String> env) throws Exception {
    Path bin = Files.createDirectories(dir.resolve("bin"));
    Path calls = dir.resolve("calls");
    for (String tool : List.of("kubectl", "helm")) {
      Path stub = bin.resolve(tool);
      Files.writeString(
          stub,
          "#!/usr/bin/env bash\n"
              + "echo \""
              + tool
              + " $*\" >> \""
              + calls
              + "\"\n"
              // a dry run prints an object for the `kubectl apply -f -` it is piped into
              + "case \"$*\" in *--dry-run=client*) echo 'kind: Namespace' ;; esac\n"
              + "case \"$*\" in *'apply -f -'*) cat > /dev/null ;; esac\n");
      assertThat(stub.toFile().setExecutable(true)).isTrue();
    }
    ProcessBuilder script =
        new ProcessBuilder("bash", "k8s/install.sh", overlay).redirectErrorStream(true);
    script.environment().put("PATH", bin + File.pathSeparator + System.getenv("PATH"));
    script.environment().keySet().removeIf(k -> k.startsWith("AWS_") || k.startsWith("NAG_"));
    script.environment().putAll(env);
    Process p = script.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out).isZero();
    return Files.readAllLines(calls);
  }

  private static String option(List<String> words, String... names) {
    for (int i = 0; i + 1 < words.size(); i++) {
      if (List.of(names).contains(words.get(i))) {
        return words.get(i + 1);
      }
    }
    return null;
  }
}
