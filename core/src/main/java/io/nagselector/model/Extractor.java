package io.nagselector.model;

import ai.djl.ndarray.NDManager;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * Turns documents into NAG features: tokenize, sort by length into batches bounded by count and by
 * padded tokens, run each batch in its own native-memory scope, take the top K per layer. A
 * document's feature never depends on its batch: right padding, per-sequence masks and positions,
 * means over its own tokens only.
 */
public final class Extractor {
  /** A document to extract. */
  public record Doc(String id, String text) {}

  private final Backbone backbone;
  private final DocTokenizer tokenizer;
  private final ExtractionSettings settings;
  private final NDManager manager;
  private final boolean[] layers;
  private final int keptLayers;

  public Extractor(
      Backbone backbone, DocTokenizer tokenizer, ExtractionSettings settings, NDManager manager) {
    this.backbone = backbone;
    this.tokenizer = tokenizer;
    this.settings = settings;
    this.manager = manager;
    this.layers = settings.layerMask(backbone.numLayers());
    int kept = 0;
    for (boolean l : layers) {
      kept += l ? 1 : 0;
    }
    this.keptLayers = kept;
    for (NeuronType type : settings.neuronTypes()) {
      if (settings.topK() > backbone.width(type)) {
        throw new IllegalArgumentException(
            "--top-k "
                + settings.topK()
                + " exceeds the "
                + backbone.width(type)
                + " "
                + type.key()
                + " neurons");
      }
    }
  }

  /** Extracts every document; results come back in input order. */
  public List<ExtractionResult> extract(List<Doc> docs) {
    ExtractionResult[] results = new ExtractionResult[docs.size()];
    List<int[]> pending = new ArrayList<>();
    int[][] tokens = new int[docs.size()][];
    for (int i = 0; i < docs.size(); i++) {
      Doc doc = docs.get(i);
      try {
        tokens[i] = doc.text() == null ? new int[0] : tokenizer.encode(doc.text());
      } catch (RuntimeException e) {
        results[i] =
            new ExtractionResult.Failure(
                doc.id(),
                ExtractionResult.Reason.EXTRACTION_FAILED,
                String.valueOf(e.getMessage()));
        continue;
      }
      if (tokens[i].length == 0) {
        results[i] =
            new ExtractionResult.Failure(
                doc.id(),
                ExtractionResult.Reason.EMPTY_AFTER_TOKENIZATION,
                "no tokens after tokenization");
      } else {
        pending.add(new int[] {i, tokens[i].length});
      }
    }
    runAll(docs.stream().map(Doc::id).toList(), tokens, pending, results);
    return List.of(results);
  }

  /** Extracts documents already tokenized (benchmarks); results in input order. */
  public List<ExtractionResult> extractTokenized(List<String> ids, int[][] tokens) {
    ExtractionResult[] results = new ExtractionResult[ids.size()];
    List<int[]> pending = new ArrayList<>();
    for (int i = 0; i < tokens.length; i++) {
      pending.add(new int[] {i, tokens[i].length});
    }
    runAll(ids, tokens, pending, results);
    return List.of(results);
  }

  private void runAll(
      List<String> ids, int[][] tokens, List<int[]> pending, ExtractionResult[] results) {
    pending.sort((a, b) -> Integer.compare(a[1], b[1]));
    int start = 0;
    while (start < pending.size()) {
      int end = start + 1;
      while (end < pending.size()
          && end - start < settings.batchSize()
          && (long) (end - start + 1) * pending.get(end)[1] <= settings.maxBatchTokens()) {
        end++;
      }
      runBatch(ids, tokens, pending.subList(start, end), results);
      paddedTokens.add((long) (end - start) * pending.get(end - 1)[1]);
      start = end;
    }
  }

  private final LongAdder paddedTokens = new LongAdder();

  /** Tokens processed including padding, since this extractor was made. */
  public long paddedTokens() {
    return paddedTokens.sum();
  }

  private void runBatch(
      List<String> ids, int[][] tokens, List<int[]> members, ExtractionResult[] results) {
    int n = members.size();
    int[][] batchTokens = new int[n][];
    int[] lengths = new int[n];
    int maxLength = 0;
    for (int b = 0; b < n; b++) {
      batchTokens[b] = tokens[members.get(b)[0]];
      lengths[b] = batchTokens[b].length;
      maxLength = Math.max(maxLength, lengths[b]);
    }
    try (NDManager batch = manager.newSubManager()) {
      Impacts impacts =
          new Impacts(batch, settings.neuronTypes(), layers, lengths, maxLength, settings.topK());
      backbone.forward(batch, batchTokens, maxLength, impacts);
      for (int b = 0; b < n; b++) {
        int index = members.get(b)[0];
        Map<NeuronType, int[]> features = new EnumMap<>(NeuronType.class);
        for (NeuronType type : settings.neuronTypes()) {
          int[] feature = new int[keptLayers * settings.topK()];
          int slot = 0;
          for (int layer = 0; layer < layers.length; layer++) {
            if (layers[layer]) {
              int[] top = impacts.top(layer, type)[b];
              System.arraycopy(top, 0, feature, slot * settings.topK(), settings.topK());
              slot++;
            }
          }
          features.put(type, feature);
        }
        results[index] = new ExtractionResult.Features(ids.get(index), features, lengths[b]);
      }
    } catch (RuntimeException e) {
      for (int[] member : members) {
        results[member[0]] =
            new ExtractionResult.Failure(
                ids.get(member[0]),
                ExtractionResult.Reason.EXTRACTION_FAILED,
                String.valueOf(e.getMessage()));
      }
    }
  }
}
