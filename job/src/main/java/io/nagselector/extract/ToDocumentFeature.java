package io.nagselector.extract;

import io.nagselector.avro.DocumentFeature;
import io.nagselector.pipeline.ExtractedDocument;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.functions.MapFunction;

/** An extracted document's feature as a record for the features topic. */
public final class ToDocumentFeature implements MapFunction<ExtractedDocument, DocumentFeature> {
  private final String fingerprint;

  public ToDocumentFeature(String fingerprint) {
    this.fingerprint = fingerprint;
  }

  @Override
  public DocumentFeature map(ExtractedDocument doc) {
    List<Integer> feature = new ArrayList<>(doc.feature().length);
    for (int v : doc.feature()) {
      feature.add(v);
    }
    return DocumentFeature.newBuilder()
        .setId(doc.document().getId())
        .setUrl(doc.document().getUrl())
        .setSource(doc.document().getSource())
        .setTokens(doc.tokens())
        .setModelFingerprint(fingerprint)
        .setFeature(feature)
        .setExtractedAt(Instant.now())
        .build();
  }
}
