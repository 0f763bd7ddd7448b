package io.nagselector.select;

import io.nagselector.avro.CrawlDocument;
import io.nagselector.avro.SelectedDocument;
import io.nagselector.nag.NagFeature;
import io.nagselector.nag.Similarity;
import io.nagselector.nag.TargetProfile;
import io.nagselector.pipeline.ExtractedDocument;
import io.nagselector.pipeline.TargetDefinition;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** The record a selection publishes: the document, its score against the target, and why. */
final class SelectedRecords {
  private SelectedRecords() {}

  static SelectedDocument of(
      ExtractedDocument doc,
      TargetDefinition def,
      TargetProfile profile,
      double sim,
      double threshold,
      long now) {
    CrawlDocument d = doc.document();
    NagFeature feature =
        NagFeature.of(d.getId(), def.numLayers(), def.featureK(), 0, doc.feature());
    List<Double> contributions = new ArrayList<>();
    for (double c : Similarity.layerContributions(feature, profile)) {
      contributions.add(c);
    }
    return SelectedDocument.newBuilder()
        .setId(d.getId())
        .setUrl(d.getUrl())
        .setText(d.getText())
        .setSource(d.getSource())
        .setFetchTime(d.getFetchTime())
        .setTokens(doc.tokens())
        .setTarget(def.name())
        .setTargetVersion(def.version())
        .setSimilarity(sim)
        .setThreshold(threshold)
        .setLayerContributions(contributions)
        .setModelFingerprint(def.modelFingerprint())
        .setSelectedAt(Instant.ofEpochMilli(now))
        .build();
  }
}
