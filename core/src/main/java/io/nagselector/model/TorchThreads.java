package io.nagselector.model;

/**
 * PyTorch's thread settings, which must be fixed before the engine loads (and offline mode: nothing
 * is downloaded at run time).
 */
public final class TorchThreads {
  private TorchThreads() {}

  /** {@code threads} intra-op threads; null: one per core. */
  public static void configure(Integer threads) {
    int n = threads == null ? Runtime.getRuntime().availableProcessors() : threads;
    if (n <= 0) {
      throw new IllegalArgumentException("--threads must be positive, got " + n);
    }
    System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(n));
    System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
    System.setProperty("ai.djl.offline", "true");
  }

  /** Splits the cores among {@code workers} batches running at once. */
  public static void configureForWorkers(int workers) {
    configure(Math.max(1, Runtime.getRuntime().availableProcessors() / workers));
  }
}
