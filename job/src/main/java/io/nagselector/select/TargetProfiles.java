package io.nagselector.select;

import io.nagselector.nag.TargetProfile;
import io.nagselector.pipeline.TargetDefinition;
import java.util.HashMap;
import java.util.Map;

/** Each target's profile, built once per version from its definition (not per document). */
final class TargetProfiles {
  private record Cached(int version, TargetProfile profile) {}

  private final Map<String, Cached> byName = new HashMap<>();

  TargetProfile of(TargetDefinition def) {
    Cached cached = byName.get(def.name());
    if (cached == null || cached.version() != def.version()) {
      cached = new Cached(def.version(), def.profile());
      byName.put(def.name(), cached);
    }
    return cached.profile();
  }

  void remove(String name) {
    byName.remove(name);
  }
}
