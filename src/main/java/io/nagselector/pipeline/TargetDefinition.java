package io.nagselector.pipeline;

import io.nagselector.nag.NagFeature;
import io.nagselector.nag.TargetProfile;
import java.io.Serializable;
import java.util.List;

/**
 * A versioned target as broadcast to the scoring operator: its example features (the profile is
 * rebuilt from them where it is used), the policy and the model fingerprint they were made with.
 *
 * @param policyValue the fraction (FRACTION) or the similarity threshold (THRESHOLD)
 * @param keepTopK how many best documents the running top-k keeps
 * @param featureK K, the neurons per layer of each feature
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
    List<int[]> examples)
    implements Serializable {

  /** How a target accepts documents. */
  public enum Policy {
    FRACTION,
    THRESHOLD
  }

  public TargetProfile profile() {
    TargetProfile.Builder builder = TargetProfile.builder(numLayers, featureK, 0);
    for (int i = 0; i < examples.size(); i++) {
      builder.add(NagFeature.of(name + "#" + i, numLayers, featureK, 0, examples.get(i)));
    }
    return builder.build();
  }
}
