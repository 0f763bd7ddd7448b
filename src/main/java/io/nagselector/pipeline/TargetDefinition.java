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
 * @param endOfReplay not a target: the mark that the registry has applied every command the control
 *     topic held when the job started without state (never stored)
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
    boolean paused,
    boolean endOfReplay)
    implements Serializable {

  public TargetDefinition(
      String name,
      int version,
      String modelFingerprint,
      Policy policy,
      double policyValue,
      int keepTopK,
      int numLayers,
      int featureK,
      int[][] examples,
      boolean paused) {
    this(
        name,
        version,
        modelFingerprint,
        policy,
        policyValue,
        keepTopK,
        numLayers,
        featureK,
        examples,
        paused,
        false);
  }

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

  /**
   * The removal of a target, as broadcast: it carries no examples and no policy. (A removal is
   * never stored, but the record is, so it cannot become a type of its own without a state
   * migration.)
   */
  public static TargetDefinition removal(String name, int version, String modelFingerprint) {
    return new TargetDefinition(
        name, version, modelFingerprint, null, 0, 0, 0, 0, new int[0][], false);
  }

  /** The mark that follows the last replayed command ({@link #endOfReplay}). */
  public static TargetDefinition replayed() {
    return new TargetDefinition("", 0, "", null, 0, 0, 0, 0, new int[0][], false, true);
  }

  /** Whether this is a {@link #removal}. */
  public boolean removed() {
    return examples.length == 0 && !endOfReplay;
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
