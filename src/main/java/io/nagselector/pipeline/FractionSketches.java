package io.nagselector.pipeline;

import io.nagselector.nag.FractionPolicy;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One parallel instance's fraction policies, one per target version, fed by all of the instance's
 * shards. They are checkpointed as union operator state so that any restore, at any parallelism,
 * starts every instance from all observations, each counted once: an instance writes only what it
 * observed since the last restore, and instance 0 also writes what was restored.
 */
final class FractionSketches {
  private static final class Target {
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
  }

  private final Map<String, Target> targets = new HashMap<>();

  /** The policy of this target version (a fresh one when the version changed). */
  FractionPolicy policy(String name, int version, double fraction) {
    Target t = targets.get(name);
    if (t == null || t.version != version) {
      t = new Target(version, new FractionPolicy(fraction));
      targets.put(name, t);
    }
    return t.view;
  }

  /** Adds an observation to the target's current version (see {@link #policy}). */
  void observe(String name, double similarity, long tokens) {
    Target t = targets.get(name);
    t.own.observe(similarity, tokens);
    t.view.observe(similarity, tokens);
  }

  void remove(String name) {
    targets.remove(name);
  }

  /** The entries to checkpoint; {@code first} for the instance that also writes the restored. */
  List<byte[]> snapshot(boolean first) {
    List<byte[]> out = new ArrayList<>();
    targets.forEach(
        (name, t) -> {
          out.add(entry(name, t.version, t.own));
          if (first) {
            out.add(entry(name, t.version, t.restored));
          }
        });
    return out;
  }

  /** Every instance's checkpointed entries merged: the latest version of each target. */
  static FractionSketches restore(Iterable<byte[]> entries) {
    Map<String, Integer> versions = new HashMap<>();
    Map<String, FractionPolicy> merged = new HashMap<>();
    for (byte[] bytes : entries) {
      try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
        String name = in.readUTF();
        int version = in.readInt();
        FractionPolicy policy = FractionPolicy.read(in);
        Integer known = versions.get(name);
        if (known == null || version > known) {
          versions.put(name, version);
          merged.put(name, policy);
        } else if (version == known) {
          merged.get(name).merge(policy);
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    FractionSketches sketches = new FractionSketches();
    merged.forEach((name, p) -> sketches.targets.put(name, new Target(versions.get(name), p)));
    return sketches;
  }

  private static byte[] entry(String name, int version, FractionPolicy policy) {
    try {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      DataOutputStream out = new DataOutputStream(bytes);
      out.writeUTF(name);
      out.writeInt(version);
      policy.write(out);
      return bytes.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
