package io.nagselector.duplicates.near;

import io.nagselector.avro.DuplicateDocument;
import io.nagselector.config.NearDuplicateSettings;
import io.nagselector.pipeline.SourcedDocument;
import io.nagselector.pipeline.near.BandProbe;
import io.nagselector.pipeline.near.Signature;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;

/**
 * Streaming near-duplicate removal before extraction, in four operators: fingerprint (MinHash
 * sketch and LSH buckets), the bucket index keyed by bucket, the signature store keyed by text, and
 * the decision keyed by text, which holds each document until the watermark passes it. Each
 * remembered text costs one small entry per band plus one signature, all expiring with Flink's
 * state TTL.
 */
public final class NearDuplicateStage {
  /** The documents that are not near-duplicates, and the near-duplicates. */
  public record Result(DataStream<SourcedDocument> unique, DataStream<DuplicateDocument> skipped) {}

  private NearDuplicateStage() {}

  public static Result apply(
      DataStream<SourcedDocument> documents,
      NearDuplicateSettings settings,
      boolean emitDuplicates) {
    SingleOutputStreamOperator<BandProbe> probes =
        documents
            .transform(
                "near-duplicates: fingerprint",
                TypeInformation.of(BandProbe.class),
                new Fingerprinting(settings))
            .uid("near-fingerprint");
    SingleOutputStreamOperator<SignatureLookup> lookups =
        probes
            .keyBy(BandProbe::bucket, Types.LONG)
            .transform(
                "near-duplicates: bucket index",
                TypeInformation.of(SignatureLookup.class),
                new BucketIndex(settings.ttl()))
            .uid("near-buckets");
    SingleOutputStreamOperator<BandAnswer> answers =
        probes
            .getSideOutput(Fingerprinting.SIGNATURES)
            .keyBy(Signature::key, Types.LONG)
            .connect(lookups.keyBy(SignatureLookup::firstKey, Types.LONG))
            .process(new SignatureStore(settings.ttl()))
            .uid("near-signatures")
            .name("near-duplicates: signatures");
    SingleOutputStreamOperator<SourcedDocument> kept =
        probes
            .getSideOutput(Fingerprinting.DOCUMENTS)
            .keyBy(d -> d.self().key(), Types.LONG)
            .connect(answers.keyBy(BandAnswer::key, Types.LONG))
            .transform(
                "near-duplicates: decide",
                TypeInformation.of(SourcedDocument.class),
                new NearDuplicateDecision.Operator(
                    new NearDuplicateDecision(settings.threshold(), emitDuplicates)))
            .uid("near-decide");
    return new Result(
        kept.union(probes.getSideOutput(Fingerprinting.WORDLESS)),
        kept.getSideOutput(NearDuplicateDecision.DUPLICATES));
  }
}
