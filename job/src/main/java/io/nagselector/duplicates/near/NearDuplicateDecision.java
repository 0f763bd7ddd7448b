package io.nagselector.duplicates.near;

import io.nagselector.avro.DuplicateDocument;
import io.nagselector.avro.DuplicateKind;
import io.nagselector.dedupe.NearDuplicateIndex;
import io.nagselector.pipeline.SourcedDocument;
import io.nagselector.pipeline.near.PendingDocument;
import io.nagselector.pipeline.near.Signature;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.streaming.api.operators.InternalTimerService;
import org.apache.flink.streaming.api.operators.co.KeyedCoProcessOperator;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Keyed by text: holds a document until the watermark passes it, then applies {@link
 * NearDuplicateIndex#bestMatch} to the first occurrences before it that its bands found. Every
 * answer for a document has come by then: its probes are released, looked up and answered before
 * the watermark that passes the document goes on, and no record in the stage is late ({@link
 * Fingerprinting}). A near-duplicate goes to {@link #DUPLICATES} with the id it duplicates and the
 * estimated Jaccard similarity; any other document goes on to extraction.
 */
public final class NearDuplicateDecision
    extends KeyedCoProcessFunction<Long, PendingDocument, BandAnswer, SourcedDocument> {
  public static final OutputTag<DuplicateDocument> DUPLICATES =
      new OutputTag<>("near-duplicates") {};
  static final ValueStateDescriptor<PendingDocument> PENDING =
      new ValueStateDescriptor<>("pending", TypeInformation.of(PendingDocument.class));

  /** Earlier builds counted the bands' answers here; {@link Operator} clears them on open. */
  static final ValueStateDescriptor<Integer> LEGACY_ANSWERS =
      new ValueStateDescriptor<>("answers", Types.INT);

  private final double threshold;
  private final boolean emitDuplicates;
  private transient ValueState<PendingDocument> pending;
  private transient ListState<Signature> candidates;
  private transient Counter nearDuplicates;

  public NearDuplicateDecision(double threshold, boolean emitDuplicates) {
    this.threshold = threshold;
    this.emitDuplicates = emitDuplicates;
  }

  @Override
  public void open(OpenContext context) {
    pending = getRuntimeContext().getState(PENDING);
    candidates =
        getRuntimeContext()
            .getListState(
                new ListStateDescriptor<>("candidates", TypeInformation.of(Signature.class)));
    nearDuplicates = getRuntimeContext().getMetricGroup().counter("nearDuplicates");
  }

  @Override
  public void processElement1(PendingDocument doc, Context ctx, Collector<SourcedDocument> out)
      throws Exception {
    pending.update(doc);
    ctx.timerService().registerEventTimeTimer(doc.self().time());
  }

  @Override
  public void processElement2(BandAnswer answer, Context ctx, Collector<SourcedDocument> out)
      throws Exception {
    candidates.add(answer.first());
  }

  @Override
  public void onTimer(long timestamp, OnTimerContext ctx, Collector<SourcedDocument> out)
      throws Exception {
    PendingDocument doc = pending.value();
    if (doc != null) {
      decide(doc, ctx, out);
    }
    pending.clear();
    candidates.clear();
  }

  private void decide(PendingDocument doc, Context ctx, Collector<SourcedDocument> out)
      throws Exception {
    List<NearDuplicateIndex.Occurrence> earlier = new ArrayList<>();
    for (Signature first : candidates.get()) {
      if (first.before(doc.self())) {
        earlier.add(new NearDuplicateIndex.Occurrence(first.id(), first.sketch()));
      }
    }
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

  /**
   * The decision's operator. When it opens, it gives every waiting document a timer at its time: an
   * earlier build's savepoint holds documents that wait for their bands' answers without one. (A
   * document that has one keeps it: a key has one timer per time.) It also clears the answer counts
   * such a savepoint holds.
   */
  public static final class Operator
      extends KeyedCoProcessOperator<Long, PendingDocument, BandAnswer, SourcedDocument> {
    public Operator(NearDuplicateDecision decision) {
      super(decision);
    }

    @Override
    public void open() throws Exception {
      super.open();
      ValueState<PendingDocument> documents = getPartitionedState(PENDING);
      InternalTimerService<VoidNamespace> timers =
          getInternalTimerService("user-timers", VoidNamespaceSerializer.INSTANCE, this);
      for (Long key : keysOf(PENDING)) {
        setCurrentKey(key);
        PendingDocument doc = documents.value();
        if (doc != null) {
          timers.registerEventTimeTimer(VoidNamespace.INSTANCE, doc.self().time());
        }
      }
      ValueState<Integer> answers = getPartitionedState(LEGACY_ANSWERS);
      for (Long key : keysOf(LEGACY_ANSWERS)) {
        setCurrentKey(key);
        answers.clear();
      }
    }

    private List<Long> keysOf(ValueStateDescriptor<?> state) {
      try (Stream<Long> keys =
          this.<Long>getKeyedStateBackend().getKeys(state.getName(), VoidNamespace.INSTANCE)) {
        return keys.toList();
      }
    }
  }
}
