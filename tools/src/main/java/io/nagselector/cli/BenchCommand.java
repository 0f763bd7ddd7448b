package io.nagselector.cli;

import picocli.CommandLine.Command;

/** {@code bench}: throughput measurements that print numbers. */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    description = "Benchmarks: scoring throughput (JMH) and ranking a large generated pool.",
    subcommands = {
      BenchScoreCommand.class,
      BenchRankCommand.class,
      BenchExtractCommand.class,
      BenchPipelineCommand.class,
      BenchSoakCommand.class
    })
final class BenchCommand implements Runnable {
  @Override
  public void run() {
    picocli.CommandLine.usage(this, System.out);
  }
}
