package io.nagselector.pipeline;

import io.nagselector.avro.CommandType;
import io.nagselector.avro.DeadLetterReason;
import io.nagselector.avro.TargetCommand;
import io.nagselector.avro.TargetPolicy;
import java.time.Instant;
import java.util.List;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Keyed by target name: validates each prepared command and turns it into the next version of the
 * target (UPSERT) or its removal (REMOVE). An invalid command changes nothing and is dead-lettered
 * with the reason.
 */
public final class TargetRegistry
    extends KeyedProcessFunction<String, PreparedCommand, TargetDefinition> {
  /** What a target gets when its command does not say. */
  public record Defaults(TargetDefinition.Policy policy, double value, int keepTopK, int featureK)
      implements java.io.Serializable {}

  private final Defaults defaults;
  private transient ValueState<Integer> version;

  public TargetRegistry(Defaults defaults) {
    this.defaults = defaults;
  }

  @Override
  public void open(org.apache.flink.api.common.functions.OpenContext context) {
    version = getRuntimeContext().getState(new ValueStateDescriptor<>("version", Integer.class));
  }

  @Override
  public void processElement(PreparedCommand prepared, Context ctx, Collector<TargetDefinition> out)
      throws Exception {
    TargetCommand c = prepared.command();
    Integer current = version.value();
    String problem = problem(prepared, current);
    if (problem != null) {
      ctx.output(
          DeadLetters.TAG,
          DeadLetters.of(
              DeadLetterReason.INVALID_COMMAND,
              "command " + c.getCommandId() + " for target " + c.getTarget() + ": " + problem,
              null,
              prepared.raw(),
              Instant.ofEpochMilli(ctx.timerService().currentProcessingTime())));
      return;
    }
    int next = current == null ? 1 : current + 1;
    if (c.getType() == CommandType.REMOVE) {
      version.clear();
      out.collect(
          new TargetDefinition(
              c.getTarget(), next, prepared.fingerprint(), null, 0, 0, 0, 0, List.of()));
      return;
    }
    version.update(next);
    TargetPolicy policy = c.getPolicy();
    int k = defaults.featureK();
    out.collect(
        new TargetDefinition(
            c.getTarget(),
            next,
            prepared.fingerprint(),
            policy == null
                ? defaults.policy()
                : TargetDefinition.Policy.valueOf(policy.getKind().name()),
            policy == null ? defaults.value() : policy.getValue(),
            c.getTopK() == null ? defaults.keepTopK() : c.getTopK(),
            prepared.features().get(0).length / k,
            k,
            prepared.features()));
  }

  /** Why the command cannot be applied, or null. */
  private String problem(PreparedCommand prepared, Integer current) {
    TargetCommand c = prepared.command();
    if (c.getTarget() == null || c.getTarget().isBlank()) {
      return "no target name";
    }
    if (c.getType() == CommandType.REMOVE) {
      return current == null ? "unknown target" : null;
    }
    if (c.getType() != CommandType.UPSERT) {
      return "unknown command type " + c.getType();
    }
    if (!c.getExampleFeatures().isEmpty()
        && !prepared.fingerprint().equals(c.getFeaturesFingerprint())) {
      return "example features were made with model "
          + c.getFeaturesFingerprint()
          + ", the job extracts with "
          + prepared.fingerprint();
    }
    if (prepared.features().isEmpty()) {
      return prepared.failedTexts() > 0
          ? "every example text was empty after tokenization"
          : "no examples";
    }
    int length = prepared.features().get(0).length;
    for (int[] f : prepared.features()) {
      if (f.length != length || length % defaults.featureK() != 0) {
        return "example features have inconsistent lengths ("
            + f.length
            + " vs "
            + length
            + ", K = "
            + defaults.featureK()
            + ")";
      }
    }
    TargetPolicy p = c.getPolicy();
    if (p != null) {
      double v = p.getValue();
      boolean ok = p.getKind().name().equals("FRACTION") ? v > 0 && v <= 1 : v >= 0 && v <= 1;
      if (!ok) {
        return "policy " + p.getKind() + " value " + v + " is out of range";
      }
    }
    if (c.getTopK() != null && c.getTopK() <= 0) {
      return "top_k must be positive, got " + c.getTopK();
    }
    return null;
  }
}
