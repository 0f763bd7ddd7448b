package io.nagselector.pipeline;

import io.nagselector.nag.NagFeature;
import io.nagselector.nag.TargetProfile;
import java.io.Serializable;
import java.util.List;

/**
 * A versioned target as broadcast to the scoring operator and kept in the registry's and the
 * broadcast state: its example features (the profile is rebuilt from them where it is used), the
 * policy and the model fingerprint they were made with. Flink's record serializer stores it: a
 * field may be added (with a default for old savepoints: Java's), none renamed or retyped.
 *
 * @param policyValue the fraction (FRACTION) or the similarity threshold (THRESHOLD)
 * @param keepTopK how many best documents the running top-k keeps
 * @param featureK K, the neurons per layer of each feature
 * @param paused a paused target keeps its state but scores nothing until resumed
 */
public record TargetDefinition(
    String name,
    int version,
    String modelFingerprint,
    Policy policy,
    double policyValue,
    int keepTopK,
    int numLayers,
    int featureK,
    int[][] examples,
    boolean paused)
    implements Serializable {

  /** An active target. */
  public TargetDefinition(
      String name,
      int version,
      String modelFingerprint,
      Policy policy,
      double policyValue,
      int keepTopK,
      int numLayers,
      int featureK,
      List<int[]> examples) {
    this(
        name,
        version,
        modelFingerprint,
        policy,
        policyValue,
        keepTopK,
        numLayers,
        featureK,
        examples.toArray(int[][]::new),
        false);
  }

  /** The same target, paused or resumed (same version: its state carries on). */
  public TargetDefinition withPaused(boolean paused) {
    return new TargetDefinition(
        name,
        version,
        modelFingerprint,
        policy,
        policyValue,
        keepTopK,
        numLayers,
        featureK,
        examples,
        paused);
  }

  /** How a target accepts documents. */
  public enum Policy {
    FRACTION,
    THRESHOLD
  }

  public TargetProfile profile() {
    TargetProfile.Builder builder = TargetProfile.builder(numLayers, featureK, 0);
    for (int i = 0; i < examples.length; i++) {
      builder.add(NagFeature.of(name + "#" + i, numLayers, featureK, 0, examples[i]));
    }
    return builder.build();
  }
}
