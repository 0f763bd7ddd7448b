package io.nagselector.select;

import io.nagselector.pipeline.HeldDocument;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.api.common.state.MapState;

/**
 * One shard's warm-up documents of every target, in keyed map state keyed by target name, NUL, doc
 * id (so that a target's documents are one prefix). Builds before the whole-stream warm-up held
 * them here; this build only hands them on, and writes none.
 */
final class HeldDocuments {
  private final MapState<String, HeldDocument> state;

  HeldDocuments(MapState<String, HeldDocument> state) {
    this.state = state;
  }

  /** Removes and returns a target's held documents, by doc id in order. */
  Map<String, HeldDocument> take(String target) throws Exception {
    Map<String, HeldDocument> docs = new TreeMap<>();
    String prefix = key(target, "");
    for (Map.Entry<String, HeldDocument> e : state.entries()) {
      if (e.getKey().startsWith(prefix)) {
        docs.put(e.getKey().substring(prefix.length()), e.getValue());
      }
    }
    for (String docId : docs.keySet()) {
      state.remove(key(target, docId));
    }
    return docs;
  }

  /** Drops a target's held documents (an older version's, or a removed target's). */
  static void drop(MapState<String, HeldDocument> state, String target) throws Exception {
    List<String> keys = new ArrayList<>();
    for (String key : state.keys()) {
      if (key.startsWith(key(target, ""))) {
        keys.add(key);
      }
    }
    for (String key : keys) {
      state.remove(key);
    }
  }

  void drop(String target) throws Exception {
    drop(state, target);
  }

  private static String key(String target, String docId) {
    return target + '\u0000' + docId;
  }
}
