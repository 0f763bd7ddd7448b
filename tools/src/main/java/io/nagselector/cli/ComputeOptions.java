package io.nagselector.cli;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import io.nagselector.model.Compute;
import io.nagselector.model.TorchThreads;
import picocli.CommandLine.Option;

/** Where and how the forwards of {@code extract} and {@code bench extract} run. */
final class ComputeOptions {
  @Option(names = "--threads", description = "Intra-op threads (default: all cores).")
  Integer threads;

  @Option(names = "--device", defaultValue = "cpu", description = "cpu or gpu.")
  String device;

  @Option(
      names = "--dtype",
      description =
          "fp32, or fp16: half-precision matmuls with an fp32 residual stream (bf16 is refused:"
              + " DJL 0.36 cannot run it).")
  String dtype;

  /** Fixes libtorch's threads (before the engine loads) and returns the device. */
  Device start() {
    TorchThreads.configure(threads);
    return Compute.device(device, "--device");
  }

  /** The checked compute type's name, e.g. fp32. */
  String dtypeName() {
    return Compute.dtypeName(dtype, "--dtype");
  }

  DataType dataType() {
    return Compute.dtype(dtypeName());
  }
}
