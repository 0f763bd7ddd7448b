package io.nagselector.cli;

import io.nagselector.avro.TargetState;
import io.nagselector.batch.BackfillJob;
import io.nagselector.config.ConfigKey;
import io.nagselector.config.ConfigKeys;
import io.nagselector.config.JobConfig;
import io.nagselector.config.KafkaClientConfig;
import io.nagselector.control.ControlClient;
import io.nagselector.dataset.DatasetSink;
import io.nagselector.io.UserInputException;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code target backfill}: scores a target against the features the job has already written. */
@Command(
    name = "backfill",
    mixinStandardHelpOptions = true,
    showDefaultValues = true,
    description =
        "Select for a target from the documents already seen: a bounded job over the features"
            + " topic (no inference), the exact batch rule, written to the selected topic tagged"
            + " as backfill and its top-k under TARGET@backfill.")
final class TargetBackfillCommand implements Callable<Integer> {
  @Mixin JobConfigOption connection;
  @Spec CommandSpec spec;

  @Option(names = "--name", required = true, description = "The target, as the job holds it now.")
  String name;

  @Option(
      names = "--since",
      paramLabel = "TIME",
      description =
          "Only features written at or after TIME: an instant (2026-11-25T10:00:00Z) or a"
              + " duration ago (90m, 6h, 2d); default: the whole topic.")
  String since;

  @Option(
      names = "--dataset",
      paramLabel = "URI",
      description =
          "Also write the selection as Parquet shards under URI (file:///..., s3://...), in the"
              + " dataset's layout (target=NAME/version=N/date=D, with a manifest). Rows carry ids,"
              + " urls and scores but no text: the features topic holds none. Keep it apart from"
              + " dataset.path, whose rows have text.")
  String dataset;

  @Override
  public Integer call() throws Exception {
    JobConfig c = connection.unchecked();
    Optional<DatasetSink> sink = Optional.ofNullable(dataset).map(path -> DatasetSink.at(c, path));
    Instant from = since == null ? null : parseSince(since, Instant.now());
    BackfillJob.featuresTopic(c);
    KafkaClientConfig.checkConnection(c, Duration.ofSeconds(30));
    Map<String, TargetState> states = ControlClient.targets(c);
    TargetState target = states.get(name);
    if (target == null || target.getRemoved()) {
      throw new UserInputException(
          "no target named " + name + " in topic " + c.get(ConfigKeys.KAFKA_TOPICS_TARGETS));
    }
    if (target.getNeuronCounts().isEmpty()) {
      throw new UserInputException(
          "target "
              + name
              + " was last written by a job version that did not publish profiles; send any"
              + " command for it (e.g. pause and resume) and retry");
    }
    PrintWriter out = spec.commandLine().getOut();
    out.printf(
        Locale.ROOT,
        "backfill %s version %d (%s:%s) from topic %s%s%n",
        name,
        target.getVersion(),
        target.getPolicy().toLowerCase(Locale.ROOT),
        target.getPolicyValue(),
        c.get(ConfigKeys.KAFKA_TOPICS_FEATURES),
        from == null ? "" : " since " + from);
    out.flush();
    BackfillJob.Report r = BackfillJob.run(c, target, from, sink);
    out.printf(
        Locale.ROOT,
        "read: %,d feature records (%,d unreadable, %,d of another model, %,d of a wrong shape,"
            + " %,d repeated doc ids)%n",
        r.read(),
        r.unreadable(),
        r.otherModel(),
        r.badShape(),
        r.duplicates());
    out.printf(
        Locale.ROOT,
        "selected: %,d of %,d documents, %,d of %,d tokens -> %s (backfill), top-k -> %s (key"
            + " %s@backfill)%n",
        r.selected(),
        r.scored(),
        r.selectedTokens(),
        r.totalTokens(),
        c.get(ConfigKeys.KAFKA_TOPICS_SELECTED),
        c.get(ConfigKeys.KAFKA_TOPICS_TOP_K),
        name);
    if (dataset != null) {
      out.printf(Locale.ROOT, "dataset: %s (ids and scores, no text)%n", dataset);
    }
    out.printf(
        Locale.ROOT,
        "time: %.1f s (%,.0f docs/s)%n",
        r.seconds(),
        r.read() / Math.max(r.seconds(), 1e-9));
    out.flush();
    return 0;
  }

  static Instant parseSince(String since, Instant now) {
    try {
      return Instant.parse(since);
    } catch (DateTimeParseException notAnInstant) {
      try {
        return now.minus(ConfigKey.parseDuration(since, "--since"));
      } catch (UserInputException e) {
        throw new UserInputException(
            "--since must be an instant (2026-11-25T10:00:00Z) or a duration (90m, 6h, 2d), got '"
                + since
                + "'");
      }
    }
  }
}
