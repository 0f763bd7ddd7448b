package io.nagselector.pipeline.near;

import io.nagselector.avro.DuplicateDocument;
import io.nagselector.avro.DuplicateKind;
import io.nagselector.dedupe.NearDuplicateIndex;
import io.nagselector.pipeline.SourcedDocument;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Keyed by text: holds a document until every band has answered, then applies {@link
 * NearDuplicateIndex#bestMatch} to the first occurrences that came before it. A near-duplicate goes
 * to {@link #DUPLICATES} with the id it duplicates and the estimated Jaccard similarity; any other
 * document goes on to extraction.
 */
public final class NearDuplicateDecision
    extends KeyedCoProcessFunction<Long, PendingDocument, BandAnswer, SourcedDocument> {
  public static final OutputTag<DuplicateDocument> DUPLICATES =
      new OutputTag<>("near-duplicates") {};

  private final int bands;
  private final double threshold;
  private final boolean emitDuplicates;
  private transient ValueState<PendingDocument> pending;
  private transient ValueState<Integer> answers;
  private transient ListState<Signature> candidates;
  private transient Counter nearDuplicates;

  public NearDuplicateDecision(int bands, double threshold, boolean emitDuplicates) {
    this.bands = bands;
    this.threshold = threshold;
    this.emitDuplicates = emitDuplicates;
  }

  @Override
  public void open(OpenContext context) {
    pending =
        getRuntimeContext()
            .getState(
                new ValueStateDescriptor<>("pending", TypeInformation.of(PendingDocument.class)));
    answers = getRuntimeContext().getState(new ValueStateDescriptor<>("answers", Types.INT));
    candidates =
        getRuntimeContext()
            .getListState(
                new ListStateDescriptor<>("candidates", TypeInformation.of(Signature.class)));
    nearDuplicates = getRuntimeContext().getMetricGroup().counter("nearDuplicates");
  }

  @Override
  public void processElement1(PendingDocument doc, Context ctx, Collector<SourcedDocument> out)
      throws Exception {
    Integer answered = answers.value();
    if (answered != null && answered >= bands) {
      decide(doc, ctx, out); // every band answered before the document came
    } else {
      pending.update(doc);
    }
  }

  @Override
  public void processElement2(BandAnswer answer, Context ctx, Collector<SourcedDocument> out)
      throws Exception {
    Integer so = answers.value();
    int answered = so == null ? 1 : so + 1;
    answers.update(answered);
    if (answer.first() != null) {
      candidates.add(answer.first());
    }
    if (answered >= bands) { // the document is read only once every band has answered
      PendingDocument doc = pending.value();
      if (doc != null) {
        decide(doc, ctx, out);
      }
    }
  }

  private void decide(PendingDocument doc, Context ctx, Collector<SourcedDocument> out)
      throws Exception {
    List<NearDuplicateIndex.Occurrence> earlier = new ArrayList<>();
    for (Signature first : candidates.get()) {
      if (first.before(doc.self())) {
        earlier.add(new NearDuplicateIndex.Occurrence(first.id(), first.sketch()));
      }
    }
    pending.clear();
    answers.clear();
    candidates.clear();
    Optional<NearDuplicateIndex.Match> match =
        NearDuplicateIndex.bestMatch(doc.self().sketch(), earlier, threshold);
    if (match.isEmpty()) {
      out.collect(doc.document());
      return;
    }
    nearDuplicates.inc();
    if (emitDuplicates) {
      ctx.output(
          DUPLICATES,
          new DuplicateDocument(
              doc.document().document(),
              DuplicateKind.NEAR,
              match.get().firstId(),
              match.get().jaccard()));
    }
  }
}
