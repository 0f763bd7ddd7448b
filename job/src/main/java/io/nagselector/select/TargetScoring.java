package io.nagselector.select;

import io.nagselector.nag.FractionPolicy;
import io.nagselector.nag.FractionRule;
import io.nagselector.nag.FractionState;
import io.nagselector.nag.NagFeature;
import io.nagselector.nag.ShardSelection;
import io.nagselector.nag.Similarity;
import io.nagselector.nag.TargetProfile;
import io.nagselector.pipeline.ExtractedDocument;
import io.nagselector.pipeline.HeldDocument;
import io.nagselector.pipeline.TargetDefinition;
import java.util.HashMap;
import java.util.Map;

/**
 * {@link ScoreAndSelect}'s step for one document and one target on the shard in hand: the
 * document's similarity to the target's profile, offered to the shard's selection under the
 * target's policy ({@link ShardSelection}: a threshold, or the fraction rule over the instance's
 * quantile with its warm-up), and the shard's state saved.
 */
final class TargetScoring {
  private final ShardTargets shardTargets;
  private final InstanceSketches sketches;
  private final TargetProfiles profiles;
  private final TargetMetrics metrics;
  private final int warmUp;
  private final double holdSigmas;

  TargetScoring(
      ShardTargets shardTargets,
      InstanceSketches sketches,
      TargetProfiles profiles,
      TargetMetrics metrics,
      int warmUp,
      double holdSigmas) {
    this.shardTargets = shardTargets;
    this.sketches = sketches;
    this.profiles = profiles;
    this.metrics = metrics;
    this.warmUp = warmUp;
    this.holdSigmas = holdSigmas;
  }

  /** Offers {@code doc} to {@code def} on this shard; what the offer sends on. */
  ShardDecision offer(TargetDefinition def, ExtractedDocument doc, long now) throws Exception {
    String id = doc.document().getId();
    TargetProfile profile = profiles.of(def);
    NagFeature feature = NagFeature.of(id, def.numLayers(), def.featureK(), 0, doc.feature());
    FractionPolicy.Scored scored =
        new FractionPolicy.Scored(id, Similarity.similarity(feature, profile), doc.tokens());
    ShardSelection shard = shardTargets.load(def);
    Map<String, HeldDocument> held = new HashMap<>();
    FractionState fraction = fraction(def);
    String url = doc.document().getUrl();
    ShardSelection.Result result =
        fraction == null
            ? shard.offer(scored, url, def.policyValue())
            : shard.offer(
                scored,
                url,
                fraction,
                holdSigmas,
                warmUp,
                () -> shardTargets.takeHeld(def.name(), held));
    metrics.accepted(def.name(), result.accepted().size());
    metrics.threshold(def.name(), result.threshold());
    shardTargets.save(def, shard, result);
    return ShardDecision.of(def, profile, result, doc, held, fraction, now);
  }

  /** The threshold in force on this instance: a fraction target's is NaN while it warms up. */
  double threshold(TargetDefinition def) {
    FractionState fraction = fraction(def);
    if (fraction == null) {
      return def.policyValue();
    }
    return FractionRule.warm(fraction, warmUp) ? fraction.threshold() : Double.NaN;
  }

  /** The instance's quantile of a fraction target; null for a threshold target. */
  private FractionState fraction(TargetDefinition def) {
    return def.policy() == TargetDefinition.Policy.THRESHOLD
        ? null
        : sketches.policy(def.name(), def.version(), def.policyValue());
  }
}
