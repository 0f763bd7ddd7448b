package io.nagselector.select;

import io.nagselector.avro.DeadLetter;
import io.nagselector.avro.DeadLetterReason;
import io.nagselector.ingest.DeadLetters;
import io.nagselector.nag.TargetProfile;
import io.nagselector.pipeline.TargetDefinition;
import java.time.Instant;
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

  /** The dead letter for a target whose profile another model made than the one the job runs. */
  static DeadLetter otherModel(TargetDefinition def, String jobModel, long now) {
    return DeadLetters.of(
        DeadLetterReason.INVALID_COMMAND,
        "target %s was made with model %s, the job extracts with %s"
            .formatted(def.name(), def.modelFingerprint(), jobModel),
        null,
        null,
        Instant.ofEpochMilli(now));
  }
}
