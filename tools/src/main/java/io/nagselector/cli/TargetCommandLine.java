package io.nagselector.cli;

import io.nagselector.avro.CommandStatus;
import io.nagselector.avro.CommandType;
import io.nagselector.avro.ControlEvent;
import io.nagselector.avro.TargetCommand;
import io.nagselector.avro.TargetState;
import io.nagselector.avro.TopKSnapshot;
import io.nagselector.config.ConfigKey;
import io.nagselector.config.JobConfig;
import io.nagselector.control.ControlClient;
import io.nagselector.control.Policies;
import io.nagselector.control.TargetRules;
import io.nagselector.io.BadRows;
import io.nagselector.io.FeatureFiles;
import io.nagselector.io.InputPaths;
import io.nagselector.io.RecordFormat;
import io.nagselector.io.RowFiles;
import io.nagselector.io.UserInputException;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code target}: sends control commands to a running job and shows its answers. */
@Command(
    name = "target",
    mixinStandardHelpOptions = true,
    showDefaultValues = true,
    description = "Change the targets of a running job through its control topic.",
    subcommands = {
      TargetCommandLine.Upsert.class,
      TargetCommandLine.AddExamples.class,
      TargetCommandLine.Remove.class,
      TargetCommandLine.Pause.class,
      TargetCommandLine.Resume.class,
      TargetCommandLine.ListTargets.class,
      TargetCommandLine.Watch.class,
      TargetBackfillCommand.class
    })
final class TargetCommandLine {
  /** Exit code when the job refused the command. */
  static final int REJECTED = 3;

  /** Options of every command that changes a target. */
  static final class Sending {
    @Option(names = "--name", required = true, description = "The target's name.")
    String name;

    @Option(
        names = "--command-id",
        description =
            "Idempotency key (default: a random UUID); resending it has no second effect.")
    String commandId;

    @Option(names = "--wait", description = "Wait for the job's answer; exit 3 if it refuses.")
    boolean wait;

    @Option(names = "--timeout", defaultValue = "120s", description = "How long --wait waits.")
    String timeout;
  }

  /** Example texts or features. */
  static final class Examples {
    @Option(
        names = "--examples",
        paramLabel = "FILE|DIR|GLOB",
        description = "Example texts, JSONL or Parquet, extracted by the job.")
    String texts;

    @Option(names = "--text-col", defaultValue = "doc", description = "The text column.")
    String textColumn;

    @Option(
        names = "--features",
        paramLabel = "FILE|DIR|GLOB",
        description = "Example NAG features in the reference format (made by `extract`).")
    String features;

    @Option(
        names = "--feature-col",
        defaultValue = "fwd_up_feature",
        description = "The feature column.")
    String featureColumn;

    @Option(
        names = "--fingerprint",
        description = "The model fingerprint the --features were made with (see their _meta.json).")
    String fingerprint;

    void addTo(TargetCommand.Builder command) {
      if (texts == null && features == null) {
        throw new UserInputException("give --examples (texts) or --features");
      }
      List<String> exampleTexts = new ArrayList<>();
      if (texts != null) {
        RowFiles.read(
            InputPaths.expand(texts, "--examples"),
            (row, where) -> {
              Object text = row.get(textColumn);
              if (!(text instanceof String s)) {
                throw new UserInputException(
                    where + ": no text column '" + textColumn + "' (use --text-col)");
              }
              exampleTexts.add(s);
            },
            BadRows.failing(),
            n -> {});
      }
      List<List<Integer>> exampleFeatures = new ArrayList<>();
      if (features != null) {
        if (fingerprint == null) {
          throw new UserInputException("--features needs --fingerprint (the model's fingerprint)");
        }
        new FeatureFiles("docid", featureColumn, BadRows.failing())
            .read(
                InputPaths.expand(features, "--features"),
                row -> exampleFeatures.add(Arrays.stream(row.indices()).boxed().toList()),
                n -> {});
        command.setFeaturesFingerprint(fingerprint);
      }
      command.setExampleTexts(exampleTexts).setExampleFeatures(exampleFeatures);
    }
  }

  @Command(
      name = "upsert",
      mixinStandardHelpOptions = true,
      showDefaultValues = true,
      description = "Create or replace.")
  static final class Upsert extends Sender {
    @Mixin Examples examples;

    @Option(
        names = "--policy",
        description =
            "fraction:F (the paper's budget) or threshold:S (a similarity); default: the"
                + " job's")
    String policy;

    @Option(names = "--top-k", description = "Size of the published top-k; default: the job's.")
    Integer topK;

    @Option(
        names = "--expected-version",
        description = "Refused unless the target is at this version (0: must not exist yet).")
    Integer expectedVersion;

    @Override
    TargetCommand.Builder command() {
      TargetCommand.Builder c =
          TargetCommand.newBuilder()
              .setType(CommandType.UPSERT)
              .setPolicy(policy == null ? null : Policies.parse(policy))
              .setTopK(topK)
              .setExpectedVersion(expectedVersion);
      examples.addTo(c);
      return c;
    }
  }

  @Command(
      name = "add-examples",
      mixinStandardHelpOptions = true,
      showDefaultValues = true,
      description = "Add examples; the profile is rebuilt from all of them.")
  static final class AddExamples extends Sender {
    @Mixin Examples examples;

    @Option(names = "--expected-version")
    Integer expectedVersion;

    @Override
    TargetCommand.Builder command() {
      TargetCommand.Builder c =
          TargetCommand.newBuilder()
              .setType(CommandType.ADD_EXAMPLES)
              .setExpectedVersion(expectedVersion);
      examples.addTo(c);
      return c;
    }
  }

  @Command(
      name = "remove",
      mixinStandardHelpOptions = true,
      showDefaultValues = true,
      description = "Remove a target.")
  static final class Remove extends Sender {
    @Override
    TargetCommand.Builder command() {
      return TargetCommand.newBuilder().setType(CommandType.REMOVE);
    }
  }

  @Command(
      name = "pause",
      mixinStandardHelpOptions = true,
      showDefaultValues = true,
      description = "Stop scoring a target.")
  static final class Pause extends Sender {
    @Override
    TargetCommand.Builder command() {
      return TargetCommand.newBuilder().setType(CommandType.PAUSE);
    }
  }

  @Command(
      name = "resume",
      mixinStandardHelpOptions = true,
      showDefaultValues = true,
      description = "Score it again.")
  static final class Resume extends Sender {
    @Override
    TargetCommand.Builder command() {
      return TargetCommand.newBuilder().setType(CommandType.RESUME);
    }
  }

  @Command(
      name = "watch",
      mixinStandardHelpOptions = true,
      showDefaultValues = true,
      description = "Print the job's control events as they arrive (Ctrl-C to stop).")
  static final class Watch implements Callable<Integer> {
    @Mixin JobConfigOption connection;

    @Option(names = "--from-beginning", description = "Also the events already there.")
    boolean fromBeginning;

    @Spec CommandSpec spec;

    @Override
    public Integer call() throws Exception {
      JobConfig c = connection.load();
      try (KafkaConsumer<byte[], byte[]> events = ControlClient.events(c, fromBeginning)) {
        while (!Thread.currentThread().isInterrupted()) {
          for (ConsumerRecord<byte[], byte[]> r : events.poll(Duration.ofMillis(500))) {
            spec.commandLine()
                .getOut()
                .println(TargetRules.describe(RecordFormat.decode(r.value(), ControlEvent.class)));
            spec.commandLine().getOut().flush();
          }
        }
      }
      return 0;
    }
  }

  @Command(
      name = "list",
      mixinStandardHelpOptions = true,
      showDefaultValues = true,
      description = "The job's targets now (its compacted targets and top-k topics).")
  static final class ListTargets implements Callable<Integer> {
    @Mixin JobConfigOption connection;
    @Spec CommandSpec spec;

    @Option(
        names = "--wait",
        description =
            "First wait until the job has answered every command on the control topic, so that"
                + " the list includes them.")
    boolean wait;

    @Option(names = "--timeout", defaultValue = "120s", description = "How long --wait waits.")
    String timeout;

    @Override
    public Integer call() throws Exception {
      JobConfig c = connection.load();
      if (wait) {
        ControlClient.awaitEveryCommandAnswered(c, ConfigKey.parseDuration(timeout, "--timeout"));
      }
      Map<String, TargetState> states = ControlClient.targets(c);
      Map<String, TopKSnapshot> topK = ControlClient.topK(c);
      PrintWriter out = spec.commandLine().getOut();
      out.printf(
          "%-24s %7s %-16s %8s %6s %9s %9s%n",
          "NAME", "VERSION", "POLICY", "EXAMPLES", "PAUSED", "ACCEPTED", "THRESHOLD");
      for (TargetState s : new TreeMap<>(states).values()) {
        if (s.getRemoved()) {
          continue;
        }
        TopKSnapshot t = topK.get(s.getName());
        boolean current = t != null && t.getTargetVersion() == s.getVersion();
        out.printf(
            "%-24s %7d %-16s %8d %6s %9s %9s%n",
            s.getName(),
            s.getVersion(),
            s.getPolicy().toLowerCase(Locale.ROOT) + ":" + s.getPolicyValue(),
            s.getExampleCount(),
            s.getPaused() ? "yes" : "no",
            current ? Long.toString(t.getAccepted()) : "0",
            current && t.getThreshold() != null
                ? String.format(Locale.ROOT, "%.4f", t.getThreshold())
                : "-");
      }
      out.flush();
      return 0;
    }
  }

  /** Sends one command, and with --wait waits for its answer. */
  abstract static class Sender implements Callable<Integer> {
    @Mixin JobConfigOption connection;
    @Mixin Sending sending;
    @Spec CommandSpec spec;

    abstract TargetCommand.Builder command();

    @Override
    public Integer call() throws Exception {
      JobConfig c = connection.load();
      Duration timeout = ConfigKey.parseDuration(sending.timeout, "--timeout");
      TargetCommand.Builder command = command().setTarget(sending.name);
      if (sending.commandId != null) {
        command.setCommandId(sending.commandId);
      }
      PrintWriter out = spec.commandLine().getOut();
      try (ControlClient client = ControlClient.open(c)) {
        String id = client.send(command);
        out.printf("sent %s %s (command %s)%n", command.getType(), sending.name, id);
        out.flush();
        if (!sending.wait) {
          return 0;
        }
        ControlEvent e = client.await(id, timeout);
        out.println(TargetRules.describe(e));
        return e.getStatus() == CommandStatus.APPLIED ? 0 : REJECTED;
      }
    }
  }
}
