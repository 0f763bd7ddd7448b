package io.nagselector.cli;

import io.nagselector.io.UserInputException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code nag-selector} command line. */
@Command(
    name = "nag-selector",
    mixinStandardHelpOptions = true,
    version = "nag-selector 0.1.0",
    description = "Target-oriented pretraining data selection with Neuron-Activated Graphs.",
    subcommands = {
      DemoCommand.class,
      RankCommand.class,
      ExtractCommand.class,
      RunCommand.class,
      TargetCommandLine.class,
      MergeCommand.class,
      SliceCommand.class,
      ReportCommand.class,
      BenchCommand.class,
      CommandLine.HelpCommand.class
    })
public final class Main implements Runnable {
  static final int USER_ERROR = 2;

  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Runs the command line and returns its exit code (0 ok, 2 bad input or usage, 1 a bug). */
  public static int run(String... args) {
    return commandLine().execute(args);
  }

  public static CommandLine commandLine() {
    CommandLine cli = new CommandLine(new Main());
    cli.setExecutionExceptionHandler(
        (e, commandLine, parseResult) -> {
          if (e instanceof UserInputException || e instanceof IllegalArgumentException) {
            commandLine.getErr().println("error: " + e.getMessage());
            return USER_ERROR;
          }
          commandLine.getErr().println("internal error (please report): " + e);
          e.printStackTrace(commandLine.getErr());
          return 1;
        });
    return cli;
  }

  @Override
  public void run() {
    CommandLine.usage(this, System.out);
  }
}
