package io.nagselector.select;

import io.nagselector.avro.SelectedDocument;
import io.nagselector.nag.PendingDecisions;
import io.nagselector.pipeline.UndecidedDocument;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.util.Collector;

/**
 * The documents a target's shards left undecided, waiting in {@link SettleFractions}' keyed state
 * (the current key: a target) for the whole-stream rule: by doc id, what the rule needs ({@code
 * undecided}) and the record to publish if it accepts ({@code undecided-selections}).
 */
final class UndecidedDocuments {
  static final MapStateDescriptor<String, UndecidedDocument> UNDECIDED =
      new MapStateDescriptor<>(
          "undecided", Types.STRING, TypeInformation.of(UndecidedDocument.class));
  static final MapStateDescriptor<String, SelectedDocument> SELECTIONS =
      new MapStateDescriptor<>(
          "undecided-selections", Types.STRING, TypeInformation.of(SelectedDocument.class));

  private final MapState<String, UndecidedDocument> pending;
  private final MapState<String, SelectedDocument> selections;

  UndecidedDocuments(
      MapState<String, UndecidedDocument> pending, MapState<String, SelectedDocument> selections) {
    this.pending = pending;
    this.selections = selections;
  }

  /** Keeps a candidate of {@code version}, held since {@code now}; the rule's view of it. */
  PendingDecisions.Pending hold(FractionCandidate c, int version, long now) throws Exception {
    String id = c.selection().getId();
    double similarity = c.selection().getSimilarity();
    pending.put(id, new UndecidedDocument(version, similarity, c.tokens(), now, c.shardAccepts()));
    selections.put(id, c.selection());
    return new PendingDecisions.Pending(id, similarity, c.tokens(), now);
  }

  /**
   * The documents waiting for {@code version}. One of another version has no quantile here to
   * decide it (a version ends only after its documents are decided, so it would take a state that
   * lost its sketch): its shard's threshold decides it, as for one that arrives late.
   */
  List<PendingDecisions.Pending> of(int version, Collector<SelectedDocument> out) throws Exception {
    List<PendingDecisions.Pending> all = new ArrayList<>();
    List<String> orphans = new ArrayList<>();
    for (Map.Entry<String, UndecidedDocument> e : pending.entries()) {
      UndecidedDocument d = e.getValue();
      if (d.version() == version) {
        all.add(new PendingDecisions.Pending(e.getKey(), d.similarity(), d.tokens(), d.heldAt()));
      } else {
        orphans.add(e.getKey());
        if (d.shardAccepts()) {
          out.collect(selections.get(e.getKey()));
        }
      }
    }
    for (String id : orphans) {
      forget(id);
    }
    return all;
  }

  /**
   * Forgets what {@code settled} decided, and returns the records of those it accepted, with the
   * threshold that did and the time.
   */
  List<SelectedDocument> take(PendingDecisions.Settled settled, long now) throws Exception {
    List<SelectedDocument> accepted = new ArrayList<>();
    for (PendingDecisions.Pending p : settled.accepted()) {
      SelectedDocument selection = selections.get(p.docId());
      selection.setThreshold(settled.threshold());
      selection.setSelectedAt(Instant.ofEpochMilli(now));
      accepted.add(selection);
      forget(p.docId());
    }
    for (PendingDecisions.Pending p : settled.rejected()) {
      forget(p.docId());
    }
    return accepted;
  }

  private void forget(String id) throws Exception {
    pending.remove(id);
    selections.remove(id);
  }
}
