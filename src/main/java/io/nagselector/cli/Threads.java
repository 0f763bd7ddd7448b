package io.nagselector.cli;

/** PyTorch's thread settings, which must be fixed before the engine loads. */
final class Threads {
  private Threads() {}

  static void configure(Integer threads) {
    int n = threads == null ? Runtime.getRuntime().availableProcessors() : threads;
    if (n <= 0) {
      throw new IllegalArgumentException("--threads must be positive, got " + n);
    }
    System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(n));
    System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
    System.setProperty("ai.djl.offline", "true");
  }
}
