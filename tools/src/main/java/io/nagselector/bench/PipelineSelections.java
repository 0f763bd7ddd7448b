package io.nagselector.bench;

import io.nagselector.avro.SelectedDocument;
import io.nagselector.io.RecordFormat;
import io.nagselector.nag.BudgetSelection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.LongStream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;

/** What the job selected: every document for "all", with its similarity and tokens; "budget"'s. */
final class PipelineSelections {
  private final double budgetShare;
  private final Map<String, Long> selectedAt = new HashMap<>();
  private final Map<String, SelectedDocument> all = new HashMap<>();
  private final Set<String> budget = new HashSet<>();

  PipelineSelections(double budgetShare) {
    this.budgetShare = budgetShare;
  }

  /** Reads until "all" selected {@code count} documents (at most 10 min); their times. */
  Map<String, Long> await(KafkaConsumer<byte[], byte[]> consumer, int count) throws Exception {
    long deadline = System.currentTimeMillis() + 600_000;
    while (all.size() < count && System.currentTimeMillis() < deadline) {
      poll(consumer, 200);
    }
    return new HashMap<>(selectedAt);
  }

  /** Reads what the last checkpoint committed after "all"'s last document. */
  void drainFor(KafkaConsumer<byte[], byte[]> consumer, Duration time) throws Exception {
    long end = System.nanoTime() + time.toNanos();
    while (System.nanoTime() < end) {
      poll(consumer, 500);
    }
  }

  void drain(KafkaConsumer<byte[], byte[]> consumer) throws Exception {
    while (poll(consumer, 1000) > 0) {
      // until a second passes with nothing new
    }
  }

  private int poll(KafkaConsumer<byte[], byte[]> consumer, long millis) throws Exception {
    int n = 0;
    for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(millis))) {
      SelectedDocument d = RecordFormat.decode(r.value(), SelectedDocument.class);
      if (d.getTarget().equals("all")) {
        all.put(d.getId(), d);
        selectedAt.put(d.getId(), d.getSelectedAt().toEpochMilli());
      } else {
        budget.add(d.getId());
      }
      n++;
    }
    return n;
  }

  /** The fraction target against the paper's batch rule over the same documents. */
  String againstBatch() {
    List<SelectedDocument> docs = new ArrayList<>(all.values());
    double[] distances = docs.stream().mapToDouble(d -> 1 - d.getSimilarity()).toArray();
    String[] ids = docs.stream().map(SelectedDocument::getId).toArray(String[]::new);
    long[] tokens = docs.stream().mapToLong(SelectedDocument::getTokens).toArray();
    Set<String> batch = new HashSet<>();
    for (int i : BudgetSelection.select(distances, ids, false, tokens, budgetShare)) {
      batch.add(ids[i]);
    }
    long total = LongStream.of(tokens).sum();
    long accepted = budget.stream().mapToLong(id -> all.get(id).getTokens()).sum();
    Set<String> agreed = new HashSet<>(budget);
    agreed.retainAll(batch);
    return String.format(
        "fraction target (%.1f): accepted share %.4f, precision %.3f, recall %.3f against the"
            + " batch rule over the same %d documents (%d selected, %d by the batch rule)",
        budgetShare,
        (double) accepted / total,
        (double) agreed.size() / Math.max(1, budget.size()),
        (double) agreed.size() / Math.max(1, batch.size()),
        docs.size(),
        budget.size(),
        batch.size());
  }
}
