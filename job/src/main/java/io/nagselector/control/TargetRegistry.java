package io.nagselector.control;

import io.nagselector.avro.CommandStatus;
import io.nagselector.avro.ControlEvent;
import io.nagselector.avro.DeadLetterReason;
import io.nagselector.avro.NeuronCount;
import io.nagselector.avro.TargetCommand;
import io.nagselector.avro.TargetState;
import io.nagselector.ingest.DeadLetters;
import io.nagselector.nag.TargetProfile;
import io.nagselector.pipeline.TargetDefinition;
import io.nagselector.pipeline.TargetProtocol;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.typeutils.ResultTypeQueryable;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * The whole registry under one key ({@link #key}): applies each prepared command with {@link
 * TargetRules}, broadcasts the target's new definition, and answers every command with a {@link
 * ControlEvent}. One key, so that the limit on the number of targets can be checked; control
 * traffic is a few commands, not a stream. A command id among the last {@code
 * targets.max-command-ids} commands is ignored, so a command delivered twice has one effect. A
 * refused command changes nothing and is also dead-lettered with its raw record.
 */
public final class TargetRegistry
    extends KeyedProcessFunction<String, PreparedCommand, TargetUpdate>
    implements ResultTypeQueryable<TargetUpdate> {
  public static final OutputTag<ControlEvent> EVENTS = new OutputTag<>("control-events") {};
  public static final OutputTag<TargetState> STATES = new OutputTag<>("target-states") {};

  private final TargetRules protocol;
  private final int maxCommandIds;
  private transient MapState<String, TargetProtocol.State> states;
  private transient ValueState<Integer> active;
  private transient CommandIds seen;

  public TargetRegistry(TargetRules.Defaults defaults) {
    this.protocol = new TargetRules(defaults);
    this.maxCommandIds = defaults.maxCommandIds();
  }

  @Override
  public void open(OpenContext context) {
    states =
        getRuntimeContext()
            .getMapState(
                new MapStateDescriptor<>(
                    "registry", Types.STRING, TypeInformation.of(TargetProtocol.State.class)));
    active = getRuntimeContext().getState(new ValueStateDescriptor<>("active", Types.INT));
    seen = new CommandIds(getRuntimeContext(), maxCommandIds);
  }

  /** Its updates travel in their own format ({@link TargetUpdate#TYPE}), not as a generic type. */
  @Override
  public TypeInformation<TargetUpdate> getProducedType() {
    return TargetUpdate.TYPE;
  }

  /** Every command goes to the one registry key. */
  public static String key(PreparedCommand command) {
    return "registry";
  }

  @Override
  public void processElement(PreparedCommand prepared, Context ctx, Collector<TargetUpdate> out)
      throws Exception {
    if (prepared.endOfReplay()) {
      out.collect(new TargetUpdate.EndOfReplay());
      ctx.output(
          EVENTS,
          ReplayAnnouncement.event(
              Instant.ofEpochMilli(ctx.timerService().currentProcessingTime())));
      return;
    }
    TargetCommand c = prepared.command();
    String id = c.getCommandId();
    if (id != null && !id.isBlank() && !seen.remember(id)) {
      return;
    }
    Instant now = Instant.ofEpochMilli(ctx.timerService().currentProcessingTime());
    String name = c.getTarget() == null ? "" : c.getTarget();
    TargetProtocol.State stored = states.get(name);
    TargetProtocol.State current = stored == null ? TargetProtocol.State.NONE : stored;
    ControlEvent.Builder event =
        ControlEvent.newBuilder()
            .setCommandId(id == null ? "" : id)
            .setTarget(name)
            .setCommandType(c.getType().name())
            .setTime(now);
    int activeTargets = active.value() == null ? 0 : active.value();
    TargetRules.Outcome outcome = protocol.apply(current, prepared, activeTargets);
    if (outcome instanceof TargetRules.Applied applied) {
      states.put(name, applied.next());
      boolean was = current.current() != null;
      boolean is = applied.next().current() != null;
      if (was != is) {
        active.update(activeTargets + (is ? 1 : -1));
      }
      event.setStatus(CommandStatus.APPLIED);
      if (applied.update() instanceof TargetUpdate.Upsert upsert) {
        TargetDefinition def = upsert.target();
        event
            .setVersion(def.version())
            .setPaused(def.paused())
            .setExampleCount(def.examples().length)
            .setProfileFingerprint(def.profile().fingerprint())
            .setSummary(TargetRules.summary(def, 3));
        ctx.output(STATES, state(def, now));
      } else if (applied.update() instanceof TargetUpdate.Removal removal) {
        event.setVersion(removal.version()).setPaused(false);
        ctx.output(STATES, removed(removal, now));
      }
      out.collect(applied.update());
    } else if (outcome instanceof TargetRules.Rejected rejected) {
      event
          .setStatus(CommandStatus.REJECTED)
          .setReason(rejected.reason())
          .setMessage(rejected.message());
      ctx.output(
          DeadLetters.TAG,
          DeadLetters.of(
              DeadLetterReason.INVALID_COMMAND,
              "command " + id + " for target " + c.getTarget() + ": " + rejected.message(),
              null,
              prepared.raw(),
              now));
    }
    ctx.output(EVENTS, event.build());
  }

  private static List<NeuronCount> neuronCounts(TargetProfile profile) {
    List<NeuronCount> counts = new ArrayList<>();
    for (int layer = 0; layer < profile.numLayers(); layer++) {
      for (int neuron = 0; neuron < profile.numNeurons(); neuron++) {
        int count = profile.count(layer, neuron);
        if (count > 0) {
          counts.add(new NeuronCount(layer, neuron, count));
        }
      }
    }
    return counts;
  }

  /** The profile a targets-topic record describes, checked against its fingerprint. */
  public static TargetProfile profile(TargetState state) {
    int[][] counts = new int[state.getNumLayers()][];
    int width = 0;
    for (NeuronCount c : state.getNeuronCounts()) {
      width = Math.max(width, c.getNeuron() + 1);
    }
    for (int layer = 0; layer < counts.length; layer++) {
      counts[layer] = new int[width];
    }
    for (NeuronCount c : state.getNeuronCounts()) {
      counts[c.getLayer()][c.getNeuron()] = c.getCount();
    }
    TargetProfile profile =
        TargetProfile.fromCounts(
            state.getNumLayers(), state.getFeatureK(), state.getExampleCount(), counts);
    if (!profile.fingerprint().equals(state.getProfileFingerprint())) {
      throw new IllegalStateException(
          "target "
              + state.getName()
              + ": the neuron counts give profile "
              + profile.fingerprint()
              + ", the record says "
              + state.getProfileFingerprint());
    }
    return profile;
  }

  /** The record for the compacted targets topic. */
  public static TargetState state(TargetDefinition def, Instant now) {
    return TargetState.newBuilder()
        .setName(def.name())
        .setVersion(def.version())
        .setRemoved(false)
        .setPaused(def.paused())
        .setUpdatedAt(now)
        .setPolicy(def.policy().name())
        .setPolicyValue(def.policyValue())
        .setTopK(def.keepTopK())
        .setExampleCount(def.examples().length)
        .setProfileFingerprint(def.profile().fingerprint())
        .setModelFingerprint(def.modelFingerprint())
        .setNumLayers(def.numLayers())
        .setFeatureK(def.featureK())
        .setNeuronCounts(neuronCounts(def.profile()))
        .build();
  }

  /** The targets topic's record of a removal: the name, the version, and nothing else. */
  static TargetState removed(TargetUpdate.Removal removal, Instant now) {
    return TargetState.newBuilder()
        .setName(removal.name())
        .setVersion(removal.version())
        .setRemoved(true)
        .setPaused(false)
        .setUpdatedAt(now)
        .build();
  }
}
