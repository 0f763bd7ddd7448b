package io.nagselector.extract;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.nagselector.model.Backbones;
import io.nagselector.model.Compute;
import io.nagselector.model.DefaultModel;
import io.nagselector.model.ExtractionResult;
import io.nagselector.model.ExtractionSettings;
import io.nagselector.model.Extractor;
import io.nagselector.model.MicroBatcher;
import io.nagselector.model.ModelFingerprint;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.LongAdder;
import org.apache.flink.util.TemporaryClassLoaderContext;

/**
 * One loaded model per JVM (TaskManager) and spec, shared by every slot that asks for it: loaded on
 * the first {@link #acquire}, released when the last user closes. Requests are tokenized on the
 * caller's thread and batched by a {@link MicroBatcher} for its inference workers.
 */
public final class SharedExtractor {
  private static final Map<ExtractorSpec, Loaded> LOADED = new HashMap<>();
  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
  private static final LongAdder TOKENIZER_NANOS = new LongAdder();

  private SharedExtractor() {}

  /**
   * The CPU the tokenizer has used on its callers' threads in this JVM, in nanoseconds: the
   * extraction's work, done on the async operator's thread ({@code bench pipeline} counts it so).
   */
  public static long tokenizerCpuNanos() {
    return TOKENIZER_NANOS.sum();
  }

  /** A serializable factory for the job graph. */
  public static FeatureExtractor.Factory factory(ExtractorSpec spec) {
    return () -> acquire(spec);
  }

  public static synchronized FeatureExtractor acquire(ExtractorSpec spec) {
    Loaded loaded = LOADED.computeIfAbsent(spec, SharedExtractor::load);
    loaded.users++;
    return new Handle(spec, loaded);
  }

  /**
   * Loads under DJL's own classloader as the context classloader: the batcher's workers and the
   * threads DJL starts (JNA's cleaner) outlive the task that asked first, and must not keep its
   * user-code classloader once a failover closes it.
   */
  private static Loaded load(ExtractorSpec spec) {
    try (var scope = TemporaryClassLoaderContext.of(NDManager.class.getClassLoader())) {
      return new Loaded(spec);
    }
  }

  /** How many distinct models are loaded now (for tests). */
  static synchronized int loadedModels() {
    return LOADED.size();
  }

  private static synchronized void release(ExtractorSpec spec, Loaded loaded) {
    if (--loaded.users == 0) {
      LOADED.remove(spec);
      loaded.close();
    }
  }

  private static final class Loaded {
    final NDManager root;
    final Backbones.Loaded model;
    final Extractor extractor;
    final MicroBatcher<Request, ExtractionResult> batcher;
    final String fingerprint;
    int users;

    record Request(String docId, int[] tokens) {}

    Loaded(ExtractorSpec spec) {
      // in a TaskManager nothing else sets libtorch's threads before the engine loads
      if (System.getProperty("ai.djl.pytorch.num_threads") == null) {
        int threads = Math.max(1, Runtime.getRuntime().availableProcessors() / spec.workers());
        System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(threads));
        System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
      }
      Device device = Compute.device(spec.device(), "model.device");
      DataType dtype = Compute.dtype(Compute.dtypeName(spec.dtype(), "model.dtype"));
      root = Backbones.newManager(device);
      model =
          spec.model().equals("default")
              ? DefaultModel.load(spec.maxLength(), root, dtype)
              : Backbones.load(Path.of(spec.model()), spec.maxLength(), root, dtype);
      ExtractionSettings settings =
          new ExtractionSettings(
              spec.topK(),
              spec.maxLength(),
              List.of(spec.neuronType()),
              null,
              spec.batchSize(),
              spec.maxBatchTokens());
      extractor = new Extractor(model.backbone(), model.tokenizer(), settings, root);
      fingerprint = ModelFingerprint.of(model, settings).id();
      batcher =
          MicroBatcher.start(
              spec.batchSize(),
              spec.maxBatchTokens(),
              spec.maxWait(),
              spec.workers(),
              requests -> {
                List<String> ids = new ArrayList<>();
                int[][] tokens = new int[requests.size()][];
                for (int i = 0; i < tokens.length; i++) {
                  ids.add(requests.get(i).docId());
                  tokens[i] = requests.get(i).tokens();
                }
                return extractor.extractTokenized(ids, tokens);
              });
    }

    CompletableFuture<ExtractionResult> extract(String docId, String text) {
      int[] tokens;
      long cpuBefore = THREADS.getCurrentThreadCpuTime();
      try {
        tokens = text == null ? new int[0] : model.tokenizer().encode(text);
      } catch (RuntimeException e) {
        return CompletableFuture.completedFuture(
            new ExtractionResult.Failure(
                docId, ExtractionResult.Reason.EXTRACTION_FAILED, String.valueOf(e.getMessage())));
      } finally {
        TOKENIZER_NANOS.add(THREADS.getCurrentThreadCpuTime() - cpuBefore);
      }
      if (tokens.length == 0) {
        return CompletableFuture.completedFuture(
            new ExtractionResult.Failure(
                docId,
                ExtractionResult.Reason.EMPTY_AFTER_TOKENIZATION,
                "no tokens after tokenization"));
      }
      return batcher.submit(new Request(docId, tokens), tokens.length);
    }

    void close() {
      batcher.close();
      model.backbone().close();
      model.tokenizer().close();
      root.close();
    }
  }

  private static final class Handle implements FeatureExtractor {
    private final ExtractorSpec spec;
    private final Loaded loaded;
    private boolean closed;

    Handle(ExtractorSpec spec, Loaded loaded) {
      this.spec = spec;
      this.loaded = loaded;
    }

    @Override
    public CompletableFuture<ExtractionResult> extract(String docId, String text) {
      return loaded.extract(docId, text);
    }

    @Override
    public String fingerprint() {
      return loaded.fingerprint;
    }

    @Override
    public MicroBatcher.Stats stats() {
      return loaded.batcher.stats();
    }

    @Override
    public synchronized void close() {
      if (!closed) {
        closed = true;
        release(spec, loaded);
      }
    }
  }
}
