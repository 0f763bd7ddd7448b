package io.nagselector.select;

import io.nagselector.avro.SelectedDocument;
import io.nagselector.nag.FractionPolicy;
import io.nagselector.nag.FractionState;
import io.nagselector.nag.ShardSelection;
import io.nagselector.nag.TargetProfile;
import io.nagselector.pipeline.ExtractedDocument;
import io.nagselector.pipeline.HeldDocument;
import io.nagselector.pipeline.TargetDefinition;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.types.Either;

/**
 * What a shard's offer of one document to one target sends on: the records it selected, and for a
 * fraction target, every decision as a vote and every document left undecided as a candidate for
 * the target's whole-stream rule ({@link SettleFractions}).
 */
record ShardDecision(
    List<SelectedDocument> selected, List<Either<FractionVote, FractionCandidate>> votes) {

  /**
   * @param offered the document offered; a decision may also be about one its warm-up held
   * @param fraction the instance's quantile of a fraction target; null for a threshold target
   */
  static ShardDecision of(
      TargetDefinition def,
      TargetProfile profile,
      ShardSelection.Result result,
      ExtractedDocument offered,
      Map<String, HeldDocument> warmUp,
      FractionState fraction,
      long now) {
    List<SelectedDocument> selected = new ArrayList<>();
    for (FractionPolicy.Scored a : result.accepted()) {
      selected.add(record(def, profile, result, a, offered, warmUp, now));
    }
    List<Either<FractionVote, FractionCandidate>> votes = new ArrayList<>();
    if (fraction != null) {
      result.accepted().forEach(d -> votes.add(vote(def, d, true)));
      result.rejected().forEach(d -> votes.add(vote(def, d, false)));
      for (FractionPolicy.Scored u : result.undecided()) {
        votes.add(
            Either.Right(
                new FractionCandidate(
                    def.name(),
                    def.version(),
                    def.policyValue(),
                    u.tokens(),
                    fraction.accepts(u.docId(), u.similarity()),
                    record(def, profile, result, u, offered, warmUp, now))));
      }
    }
    return new ShardDecision(selected, votes);
  }

  private static SelectedDocument record(
      TargetDefinition def,
      TargetProfile profile,
      ShardSelection.Result result,
      FractionPolicy.Scored decided,
      ExtractedDocument offered,
      Map<String, HeldDocument> warmUp,
      long now) {
    ExtractedDocument doc =
        decided.docId().equals(offered.document().getId())
            ? offered
            : warmUp.get(decided.docId()).extracted();
    return SelectedRecords.of(doc, def, profile, decided.similarity(), result.threshold(), now);
  }

  private static Either<FractionVote, FractionCandidate> vote(
      TargetDefinition def, FractionPolicy.Scored d, boolean accepted) {
    return Either.Left(
        new FractionVote(
            def.name(), def.version(), def.policyValue(), d.similarity(), d.tokens(), accepted));
  }
}
