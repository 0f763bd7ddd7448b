package io.nagselector.cli;

import picocli.CommandLine.Option;

/** The {@code --quiet} option of the long-running commands, and the progress line it silences. */
final class QuietOption {
  @Option(
      names = {"--quiet", "-q"},
      description = "No progress display.")
  boolean quiet;

  Progress progress() {
    return Progress.forTerminal(quiet);
  }
}
