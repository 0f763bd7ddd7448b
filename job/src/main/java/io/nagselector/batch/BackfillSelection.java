package io.nagselector.batch;

import io.nagselector.nag.BudgetSelection;
import io.nagselector.pipeline.TargetDefinition;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A target's selection over a whole, known set of scored documents: the paper's batch rule (the
 * token budget over documents sorted by distance, then doc id) for a fraction target, every
 * document at or above the threshold for a threshold target. Ids are strings, so ties compare them
 * as strings, as {@code rank} does for string ids. A document id seen before is not added again.
 */
public final class BackfillSelection {
  /** One document of the features topic, scored against the target. */
  public record Scored(
      String id, String url, int tokens, double similarity, double[] contributions) {}

  private final List<Scored> docs = new ArrayList<>();
  private final Set<String> ids = new HashSet<>();
  private long duplicates;

  /** Adds a document; false (and counted) when its id was added before. */
  public boolean add(Scored doc) {
    if (!ids.add(doc.id())) {
      duplicates++;
      return false;
    }
    docs.add(doc);
    return true;
  }

  public int size() {
    return docs.size();
  }

  public long duplicates() {
    return duplicates;
  }

  public long totalTokens() {
    long total = 0;
    for (Scored d : docs) {
      total += d.tokens();
    }
    return total;
  }

  /** The selected documents, best first. */
  public List<Scored> select(TargetDefinition.Policy policy, double value) {
    if (docs.isEmpty()) {
      return List.of();
    }
    double[] distances = new double[docs.size()];
    String[] docIds = new String[docs.size()];
    long[] tokens = new long[docs.size()];
    for (int i = 0; i < docs.size(); i++) {
      distances[i] = 1.0 - docs.get(i).similarity();
      docIds[i] = docs.get(i).id();
      tokens[i] = docs.get(i).tokens();
    }
    int[] chosen;
    if (policy == TargetDefinition.Policy.FRACTION) {
      chosen = BudgetSelection.select(distances, docIds, false, tokens, value);
    } else {
      int[] order = BudgetSelection.rankOrder(distances, docIds, false);
      int kept = 0;
      while (kept < order.length && docs.get(order[kept]).similarity() >= value) {
        kept++;
      }
      chosen = Arrays.copyOf(order, kept);
    }
    List<Scored> out = new ArrayList<>(chosen.length);
    for (int i : chosen) {
      out.add(docs.get(i));
    }
    return out;
  }

  /** The {@code k} most similar documents, selected or not, best first. */
  public List<Scored> best(int k) {
    double[] distances = new double[docs.size()];
    String[] docIds = new String[docs.size()];
    for (int i = 0; i < docs.size(); i++) {
      distances[i] = 1.0 - docs.get(i).similarity();
      docIds[i] = docs.get(i).id();
    }
    int[] order = BudgetSelection.rankOrder(distances, docIds, false);
    List<Scored> out = new ArrayList<>();
    for (int i = 0; i < Math.min(k, order.length); i++) {
      out.add(docs.get(order[i]));
    }
    return out;
  }
}
