package io.nagselector.demo;

import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/** The demo's live counts, as its progress line shows them. */
final class DemoProgress {
  private final long startNanos;
  long sent;
  long duplicates;
  long nearDuplicates;
  long extracted;
  long deadLetters;

  /** Per target, per version: documents accepted. */
  final Map<String, Map<Integer, Long>> accepted = new TreeMap<>();

  DemoProgress(long startNanos) {
    this.startNanos = startNanos;
  }

  void accepted(String target, int version) {
    accepted.computeIfAbsent(target, t -> new TreeMap<>()).merge(version, 1L, Long::sum);
  }

  /** Every document sent is extracted, an exact or near-duplicate, or dead-lettered. */
  boolean allAccountedFor() {
    return extracted + duplicates + nearDuplicates + deadLetters >= sent;
  }

  String line(long nowNanos) {
    double seconds = Math.max((nowNanos - startNanos) / 1e9, 1e-3);
    StringBuilder s =
        new StringBuilder()
            .append(
                String.format(
                    Locale.ROOT,
                    "in %d | duplicates %d | near-duplicates %d | extracted %d | dead letters %d |"
                        + " accepted",
                    sent,
                    duplicates,
                    nearDuplicates,
                    extracted,
                    deadLetters));
    if (accepted.isEmpty()) {
      s.append(" -");
    }
    accepted.forEach(
        (target, versions) -> {
          s.append(' ').append(target);
          versions.forEach((v, n) -> s.append(" v").append(v).append(':').append(n));
        });
    return s.append(String.format(Locale.ROOT, " | %.1f docs/s", extracted / seconds)).toString();
  }
}
