package io.nagselector.cli;

import io.nagselector.bench.PipelineBench;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code bench pipeline}: the whole job against the bare extractor on the same documents. */
@Command(
    name = "pipeline",
    mixinStandardHelpOptions = true,
    showDefaultValues = true,
    description = {
      "Run the whole job (embedded Kafka broker, local MiniCluster, RocksDB, exactly-once sinks) and",
      "the bare extractor on the same documents; print both docs/s and the ratio (goal: >= 90%%)."
    })
final class BenchPipelineCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--model", defaultValue = "default")
  String model;

  @Option(names = "--docs", defaultValue = "4000")
  int docs;

  @Option(names = "--device", description = "cpu or gpu (model.device; default: the config's).")
  String device;

  @Option(
      names = "--dtype",
      description = "fp32 or fp16 (model.dtype; default: the config's, auto = fp32).")
  String dtype;

  @Option(
      names = "--warm-up",
      defaultValue = "500",
      description = "Documents run through each before measuring (JIT compilation, allocations).")
  int warmUp;

  @Option(
      names = "--bare",
      negatable = true,
      defaultValue = "true",
      fallbackValue = "true",
      description = "Also time the bare extractor (--no-bare: the job only, for its CPU figures).")
  boolean timeBare;

  @Override
  public Integer call() throws Exception {
    new PipelineBench(model, docs, device, dtype, warmUp, timeBare)
        .run(spec.commandLine().getOut());
    return 0;
  }
}
