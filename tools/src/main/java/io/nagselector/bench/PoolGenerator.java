package io.nagselector.bench;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;

/**
 * Writes a synthetic pool in the reference's formats: feature JSONL (random distinct indices per
 * layer) and payload JSONL (docid, doc, token_num, dataset), fast enough for millions of rows.
 */
public final class PoolGenerator {
  private final int layers;
  private final int topK;
  private final int neurons;
  private final SplittableRandom rnd;

  public PoolGenerator(int layers, int topK, int neurons, long seed) {
    this.layers = layers;
    this.topK = topK;
    this.neurons = neurons;
    this.rnd = new SplittableRandom(seed);
  }

  /** Writes {@code count} feature rows with ids {@code prefix + i}. */
  public void writeFeatures(Path file, String prefix, int count) throws IOException {
    try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 20)) {
      byte[] line = new byte[64 + layers * topK * 12];
      int[] layer = new int[topK];
      for (int i = 0; i < count; i++) {
        int n =
            put(
                line,
                0,
                "{\"docid\":\""
                    + prefix
                    + i
                    + "\",\"fwd_up_feature\":{\"layer_topk_value_index\":[");
        for (int l = 0; l < layers; l++) {
          distinct(layer);
          for (int r = 0; r < topK; r++) {
            if (l + r > 0) {
              line[n++] = ',';
            }
            n = putInt(line, n, layer[r]);
          }
        }
        n = put(line, n, "]}}\n");
        out.write(line, 0, n);
      }
    }
  }

  /** Writes {@code count} payload rows matching {@link #writeFeatures}. */
  public void writePayload(Path file, String prefix, int count) throws IOException {
    try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 20)) {
      for (int i = 0; i < count; i++) {
        int tokens = 50 + rnd.nextInt(2000);
        String row =
            "{\"docid\":\""
                + prefix
                + i
                + "\",\"doc\":\"synthetic document "
                + i
                + "\",\"token_num\":"
                + tokens
                + ",\"dataset\":\"web\"}\n";
        out.write(row.getBytes(StandardCharsets.UTF_8));
      }
    }
  }

  private void distinct(int[] layer) {
    for (int r = 0; r < layer.length; r++) {
      int candidate;
      boolean duplicate;
      do {
        candidate = rnd.nextInt(neurons);
        duplicate = false;
        for (int j = 0; j < r; j++) {
          duplicate |= layer[j] == candidate;
        }
      } while (duplicate);
      layer[r] = candidate;
    }
  }

  private static int put(byte[] buf, int at, String s) {
    for (int i = 0; i < s.length(); i++) {
      buf[at++] = (byte) s.charAt(i);
    }
    return at;
  }

  private static int putInt(byte[] buf, int at, int v) {
    if (v == 0) {
      buf[at++] = '0';
      return at;
    }
    int start = at;
    while (v > 0) {
      buf[at++] = (byte) ('0' + v % 10);
      v /= 10;
    }
    for (int i = start, j = at - 1; i < j; i++, j--) {
      byte t = buf[i];
      buf[i] = buf[j];
      buf[j] = t;
    }
    return at;
  }
}
