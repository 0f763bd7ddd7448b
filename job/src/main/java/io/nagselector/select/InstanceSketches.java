package io.nagselector.select;

import io.nagselector.nag.FractionPolicy;
import io.nagselector.nag.FractionState;
import io.nagselector.pipeline.FractionSketches;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;

/**
 * One parallel instance's fraction policies, one per target version, fed by all of the instance's
 * shards. They are checkpointed as union operator state so that any restore, at any parallelism,
 * starts every instance from all observations, each counted once: an instance writes only what it
 * observed since the last restore, and instance 0 also writes what was restored.
 */
final class InstanceSketches {
  /** The union operator state the entries are checkpointed in. */
  static final ListStateDescriptor<FractionSketches.Entry> STATE =
      new ListStateDescriptor<>(
          "fraction-sketches", TypeInformation.of(FractionSketches.Entry.class));

  private static final class Target implements FractionState {
    final int version;
    final FractionPolicy restored;
    final FractionPolicy own;
    final FractionPolicy view;

    Target(int version, FractionPolicy restored) {
      this.version = version;
      this.restored = restored;
      this.own = new FractionPolicy(restored.fraction());
      this.view = restored.copy();
    }

    @Override
    public void observe(double similarity, long tokens) {
      own.observe(similarity, tokens);
      view.observe(similarity, tokens);
    }

    @Override
    public double threshold() {
      return view.threshold();
    }

    @Override
    public boolean accepts(String docId, double similarity) {
      return view.accepts(docId, similarity);
    }

    @Override
    public FractionPolicy.Verdict verdict(String docId, double similarity, double sigmas) {
      return view.verdict(docId, similarity, sigmas);
    }

    @Override
    public void decided(long tokens, boolean accepted) {
      own.decided(tokens, accepted);
      view.decided(tokens, accepted);
    }

    @Override
    public long observedTokens() {
      return view.observedTokens();
    }

    @Override
    public long observedDocuments() {
      return view.observedDocuments();
    }

    @Override
    public double acceptedShare() {
      return view.acceptedShare();
    }
  }

  private final Map<String, Target> targets = new HashMap<>();

  /**
   * The rule's state of this target version (a fresh one when the version changed): decisions by
   * all observations, this instance's recorded apart for the next checkpoint.
   */
  FractionState policy(String name, int version, double fraction) {
    Target t = targets.get(name);
    if (t == null || t.version != version) {
      t = new Target(version, new FractionPolicy(fraction));
      targets.put(name, t);
    }
    return t;
  }

  void remove(String name) {
    targets.remove(name);
  }

  /** The entries to checkpoint; {@code first} for the instance that also writes the restored. */
  List<FractionSketches.Entry> snapshot(boolean first) {
    List<FractionSketches.Entry> out = new ArrayList<>();
    targets.forEach(
        (name, t) -> {
          out.add(FractionSketches.Entry.of(name, t.version, t.own));
          if (first) {
            out.add(FractionSketches.Entry.of(name, t.version, t.restored));
          }
        });
    return out;
  }

  /** Every instance's checkpointed entries merged: the latest version of each target. */
  static InstanceSketches restore(Iterable<FractionSketches.Entry> entries) {
    Map<String, Integer> versions = new HashMap<>();
    Map<String, FractionPolicy> merged = new HashMap<>();
    for (FractionSketches.Entry e : entries) {
      FractionPolicy policy = e.policy();
      Integer known = versions.get(e.target());
      if (known == null || e.version() > known) {
        versions.put(e.target(), e.version());
        merged.put(e.target(), policy);
      } else if (e.version() == known) {
        merged.get(e.target()).merge(policy);
      }
    }
    InstanceSketches sketches = new InstanceSketches();
    merged.forEach((name, p) -> sketches.targets.put(name, new Target(versions.get(name), p)));
    return sketches;
  }
}
