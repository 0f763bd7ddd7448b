package io.nagselector.control;

import io.nagselector.avro.CommandStatus;
import io.nagselector.avro.CommandType;
import io.nagselector.avro.ControlEvent;
import io.nagselector.avro.RejectReason;
import io.nagselector.avro.TargetCommand;
import io.nagselector.avro.TargetPolicy;
import io.nagselector.nag.TargetProfile;
import io.nagselector.pipeline.TargetDefinition;
import io.nagselector.pipeline.TargetProtocol;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * The control protocol for one target name, without Flink: what a prepared command does to the
 * target's registry state, or why it is refused (and then nothing changes). Versions only grow,
 * also across a REMOVE, so a version names one definition for good.
 */
public final class TargetRules implements Serializable {
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,99}");

  /** What a target gets when its command does not say, and the limits on commands. */
  public record Defaults(
      TargetDefinition.Policy policy,
      double value,
      int keepTopK,
      int featureK,
      int maxExamples,
      int maxExampleBytes,
      int maxTargets,
      int maxCommandBytes,
      int maxTopK,
      int maxCommandIds)
      implements Serializable {

    /**
     * The limits a command breaks by itself, before any extraction: too many examples (with {@code
     * existing} ones of the target), or an example text over {@code targets.max-example-bytes},
     * counted in UTF-8 bytes. The one rule both the extraction step (which then extracts nothing)
     * and the registry apply.
     */
    public Optional<Rejected> overLimits(TargetCommand c, int existing, int extracted) {
      int given =
          existing
              + Math.max(c.getExampleTexts().size() + c.getExampleFeatures().size(), extracted);
      if (given > maxExamples) {
        return Optional.of(
            new Rejected(
                RejectReason.TOO_MANY_EXAMPLES,
                given + " examples, more than targets.max-examples " + maxExamples));
      }
      for (String text : c.getExampleTexts()) {
        int bytes = text.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > maxExampleBytes) {
          return Optional.of(
              new Rejected(
                  RejectReason.EXAMPLE_TOO_LARGE,
                  "an example text of "
                      + bytes
                      + " bytes, more than targets.max-example-bytes "
                      + maxExampleBytes));
        }
      }
      return Optional.empty();
    }
  }

  /** What a command did. */
  public sealed interface Outcome {}

  /** Applied: the state it leaves and the update to broadcast. */
  public record Applied(TargetProtocol.State next, TargetUpdate update) implements Outcome {}

  /** Refused, with a machine-readable reason. */
  public record Rejected(RejectReason reason, String message) implements Outcome {}

  private final Defaults defaults;

  public TargetRules(Defaults defaults) {
    this.defaults = defaults;
  }

  /**
   * What {@code prepared} does to the target in {@code state}, when {@code activeTargets} targets
   * (paused ones included) exist.
   */
  public Outcome apply(TargetProtocol.State state, PreparedCommand prepared, int activeTargets) {
    TargetCommand c = prepared.command();
    TargetDefinition current = state.current();
    if (c.getTarget() == null || !NAME.matcher(c.getTarget()).matches()) {
      return new Rejected(
          RejectReason.INVALID_NAME,
          "target names are 1-100 letters, digits, '.', '_' or '-', starting with a letter or"
              + " digit");
    }
    CommandType type = c.getType();
    if (type == CommandType.UNKNOWN) {
      return new Rejected(RejectReason.UNKNOWN_COMMAND, "unknown command type");
    }
    if (type != CommandType.UPSERT && current == null) {
      return new Rejected(RejectReason.UNKNOWN_TARGET, "no target named " + c.getTarget());
    }
    if (c.getExpectedVersion() != null
        && (type == CommandType.UPSERT || type == CommandType.ADD_EXAMPLES)) {
      int version = current == null ? 0 : current.version();
      if (version != c.getExpectedVersion()) {
        return new Rejected(
            RejectReason.VERSION_CONFLICT,
            "expected version " + c.getExpectedVersion() + ", the target is at version " + version);
      }
    }
    if (type == CommandType.UPSERT && current == null && activeTargets >= defaults.maxTargets()) {
      return new Rejected(
          RejectReason.TOO_MANY_TARGETS,
          activeTargets + " targets exist, the most targets.max-targets allows; remove one first");
    }
    int next = state.lastVersion() + 1;
    switch (type) {
      case REMOVE -> {
        return new Applied(
            new TargetProtocol.State(null, next), new TargetUpdate.Removal(c.getTarget(), next));
      }
      case PAUSE, RESUME -> {
        TargetDefinition changed = current.withPaused(type == CommandType.PAUSE);
        return new Applied(
            new TargetProtocol.State(changed, state.lastVersion()),
            new TargetUpdate.Upsert(changed));
      }
      default -> {
        List<int[]> examples = new ArrayList<>();
        if (type == CommandType.ADD_EXAMPLES) {
          examples.addAll(List.of(current.examples()));
        }
        Rejected problem = checkExamples(prepared, examples.size());
        if (problem == null) {
          examples.addAll(List.of(prepared.features()));
          problem = checkShape(examples, current, type);
        }
        if (problem == null && type == CommandType.UPSERT) {
          problem = checkPolicy(c);
        }
        if (problem != null) {
          return problem;
        }
        TargetDefinition def =
            type == CommandType.UPSERT
                ? upsert(c, prepared, next, examples)
                : new TargetDefinition(
                    current.name(),
                    next,
                    current.modelFingerprint(),
                    current.policy(),
                    current.policyValue(),
                    current.keepTopK(),
                    current.numLayers(),
                    current.featureK(),
                    examples.toArray(int[][]::new),
                    current.paused());
        return new Applied(new TargetProtocol.State(def, next), new TargetUpdate.Upsert(def));
      }
    }
  }

  private TargetDefinition upsert(
      TargetCommand c, PreparedCommand prepared, int version, List<int[]> examples) {
    TargetPolicy policy = c.getPolicy();
    int k = defaults.featureK();
    return new TargetDefinition(
        c.getTarget(),
        version,
        prepared.fingerprint(),
        policy == null
            ? defaults.policy()
            : TargetDefinition.Policy.valueOf(policy.getKind().name()),
        policy == null ? defaults.value() : policy.getValue(),
        c.getTopK() == null ? defaults.keepTopK() : c.getTopK(),
        examples.get(0).length / k,
        k,
        List.copyOf(examples));
  }

  /** Neuron indices must be below this: wider than any FFN, small enough to allocate a profile. */
  static final int MAX_NEURON = 1 << 20;

  private Rejected checkExamples(PreparedCommand prepared, int existing) {
    TargetCommand c = prepared.command();
    Optional<Rejected> over = defaults.overLimits(c, existing, prepared.features().length);
    if (over.isPresent()) {
      return over.get();
    }
    if (!c.getExampleFeatures().isEmpty()
        && !prepared.fingerprint().equals(c.getFeaturesFingerprint())) {
      return new Rejected(
          RejectReason.MODEL_MISMATCH,
          "example features were made with model "
              + c.getFeaturesFingerprint()
              + ", the job extracts with "
              + prepared.fingerprint());
    }
    if (prepared.timedOut()) {
      return new Rejected(
          RejectReason.EXAMPLES_TIMED_OUT,
          "extracting the examples took longer than extraction.async-timeout");
    }
    if (prepared.features().length == 0) {
      return prepared.failedTexts() > 0
          ? new Rejected(
              RejectReason.ALL_EXAMPLES_EMPTY, "every example text was empty after tokenization")
          : new Rejected(RejectReason.NO_EXAMPLES, "no examples");
    }
    return null;
  }

  private Rejected checkShape(List<int[]> examples, TargetDefinition current, CommandType type) {
    int length =
        type == CommandType.ADD_EXAMPLES
            ? current.numLayers() * current.featureK()
            : examples.get(0).length;
    for (int[] f : examples) {
      for (int neuron : f) {
        if (neuron < 0 || neuron >= MAX_NEURON) {
          return new Rejected(
              RejectReason.FEATURE_SHAPE,
              "neuron index " + neuron + " is out of range [0, " + MAX_NEURON + ")");
        }
      }
      if (f.length != length || length == 0 || length % defaults.featureK() != 0) {
        return new Rejected(
            RejectReason.FEATURE_SHAPE,
            "example features have inconsistent lengths ("
                + f.length
                + " vs "
                + length
                + ", K = "
                + defaults.featureK()
                + ")");
      }
    }
    return null;
  }

  private Rejected checkPolicy(TargetCommand c) {
    String policyProblem = c.getPolicy() == null ? null : Policies.problem(c.getPolicy());
    if (policyProblem != null) {
      return new Rejected(RejectReason.INVALID_POLICY, policyProblem);
    }
    if (c.getTopK() != null && (c.getTopK() <= 0 || c.getTopK() > defaults.maxTopK())) {
      return new Rejected(
          RejectReason.INVALID_TOP_K,
          "top_k must be between 1 and targets.max-top-k "
              + defaults.maxTopK()
              + ", got "
              + c.getTopK());
    }
    return null;
  }

  /** Per layer, the {@code perLayer} most weighted neurons of the target's profile. */
  public static String summary(TargetDefinition def, int perLayer) {
    TargetProfile profile = def.profile();
    StringBuilder out = new StringBuilder();
    for (int layer = 0; layer < def.numLayers(); layer++) {
      TreeSet<Integer> neurons = new TreeSet<>();
      for (int[] example : def.examples()) {
        for (int j = 0; j < def.featureK(); j++) {
          neurons.add(example[layer * def.featureK() + j]);
        }
      }
      int l = layer;
      List<Integer> best =
          neurons.stream()
              .sorted(
                  Comparator.<Integer>comparingDouble(n -> -profile.weight(l, n))
                      .thenComparing(n -> n))
              .limit(perLayer)
              .toList();
      out.append(layer == 0 ? "" : " | ").append('L').append(layer);
      for (int n : best) {
        out.append(' ').append(n).append(String.format(Locale.ROOT, ":%.3f", profile.weight(l, n)));
      }
    }
    return out.toString();
  }

  /** One line for a control event, as `target --wait` and `demo` print it. */
  public static String describe(ControlEvent e) {
    StringBuilder s =
        new StringBuilder()
            .append(e.getStatus())
            .append(' ')
            .append(e.getCommandType())
            .append(' ')
            .append(e.getTarget());
    if (e.getStatus() == CommandStatus.APPLIED) {
      s.append(" version ").append(e.getVersion());
      if (e.getPaused()) {
        s.append(" (paused)");
      }
      if (e.getExampleCount() != null) {
        s.append(", ")
            .append(e.getExampleCount())
            .append(" examples, profile ")
            .append(e.getProfileFingerprint())
            .append(": ")
            .append(e.getSummary());
      }
    } else {
      s.append(": ").append(e.getReason()).append(" - ").append(e.getMessage());
    }
    return s.append(" (command ").append(e.getCommandId()).append(')').toString();
  }
}
