package io.nagselector.cli;

import ai.djl.Device;
import io.nagselector.bench.ExtractBench;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code bench extract}: extraction throughput against the GEMM rate of the model's own shapes. */
@Command(
    name = "extract",
    mixinStandardHelpOptions = true,
    showDefaultValues = true,
    description = {
      "Extraction throughput on documents of 5-150 words (random token ids), with achieved",
      "GFLOP/s and its share of the matmul rate measured in this process on the model's shapes."
    })
final class BenchExtractCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(
      names = "--model",
      defaultValue = "default",
      description =
          "default (MiniLM), random-qwen3 (8 layers, hidden 512), random-qwen3-0.6b (Qwen3-0.6B's"
              + " shapes), or a checkpoint directory.")
  String model;

  @Option(names = "--docs", defaultValue = "256")
  int docs;

  @Option(names = "--batch-size", defaultValue = "16")
  int batchSize;

  @Option(names = "--max-length", defaultValue = "120")
  int maxLength;

  @Option(names = "--neuron-types", defaultValue = "fwd_up")
  String neuronTypes;

  @Mixin ComputeOptions compute;

  @Override
  public Integer call() {
    Device device = compute.start();
    new ExtractBench(model, docs, batchSize, maxLength, neuronTypes, device, compute.dtypeName())
        .run(spec.commandLine().getOut());
    return 0;
  }
}
