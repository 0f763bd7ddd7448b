package io.nagselector.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.runtime.clusterframework.TaskExecutorProcessSpec;
import org.apache.flink.runtime.clusterframework.TaskExecutorProcessUtils;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Each overlay's TaskManager memory, as Flink's own memory model derives it from the pod's memory
 * and the flinkConfiguration (what a TaskManager in that pod would start with), against what the
 * model needs outside the JVM heap: the figures of docs/deployment.md, "Memory" (measured with
 * {@code bench extract} for the default model; estimated for the GPU overlay, which no GPU here can
 * measure).
 */
class TaskManagerMemoryTest {
  private static final long MIB = 1024 * 1024;

  @ParameterizedTest
  @CsvSource({
    // overlay, native MiB (weights and one batch), workers per TaskManager, managed MiB for RocksDB
    "dev-cpu, 949, 1, 512",
    "prod-gpu, 8800, 1, 1024"
  })
  void theModelsNativeMemoryIsBudgetedAndTheBudgetAddsUp(
      String overlay, long nativeMib, int workers, long rocksDbMib) throws Exception {
    List<JsonNode> docs = Manifests.render(Path.of("k8s", "overlays", overlay));
    JsonNode spec = Manifests.one(docs, "FlinkDeployment", "nag-selector").path("spec");
    Map<String, String> conf = new HashMap<>();
    Iterator<Map.Entry<String, JsonNode>> keys = spec.path("flinkConfiguration").fields();
    keys.forEachRemaining(e -> conf.put(e.getKey(), e.getValue().asText()));
    // the operator sets the process size from the pod's memory
    String podMemory = spec.path("taskManager").path("resource").path("memory").asText();
    conf.put("taskmanager.memory.process.size", podMemory.replace("m", "mb"));
    TaskExecutorProcessSpec tm =
        TaskExecutorProcessUtils.processSpecFromConfig(Configuration.fromMap(conf));

    assertThat(tm.getTaskOffHeapSize().getBytes())
        .as("task off-heap: the model outside the heap, per worker")
        .isGreaterThanOrEqualTo(nativeMib * workers * MIB);
    assertThat(tm.getManagedMemorySize().getBytes())
        .as("managed memory: RocksDB")
        .isGreaterThanOrEqualTo(rocksDbMib * MIB);
    assertThat(tm.getTaskHeapSize()).isGreaterThanOrEqualTo(MemorySize.parse("512m"));
    // the parts add up to the pod's memory: nothing is left for the kernel to find unbudgeted
    // (the JVM's direct memory is framework and task off-heap plus the network buffers)
    long parts =
        tm.getJvmHeapMemorySize().getBytes()
            + tm.getJvmDirectMemorySize().getBytes()
            + tm.getManagedMemorySize().getBytes()
            + tm.getJvmMetaspaceSize().getBytes()
            + tm.getJvmOverheadSize().getBytes();
    assertThat(parts).isEqualTo(MemorySize.parse(podMemory.replace("m", "mb")).getBytes());
    System.out.printf(
        "%s: process %s = heap %s (task %s), direct %s (task off-heap %s), network %s, managed %s,"
            + " metaspace %s, overhead %s%n",
        overlay,
        podMemory,
        tm.getJvmHeapMemorySize().toHumanReadableString(),
        tm.getTaskHeapSize().toHumanReadableString(),
        tm.getJvmDirectMemorySize().toHumanReadableString(),
        tm.getTaskOffHeapSize().toHumanReadableString(),
        tm.getNetworkMemSize().toHumanReadableString(),
        tm.getManagedMemorySize().toHumanReadableString(),
        tm.getJvmMetaspaceSize().toHumanReadableString(),
        tm.getJvmOverheadSize().toHumanReadableString());
  }
}
