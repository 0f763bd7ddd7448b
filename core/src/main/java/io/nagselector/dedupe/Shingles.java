package io.nagselector.dedupe;

import java.nio.charset.StandardCharsets;
import java.text.Normalizer;
import java.util.Arrays;
import java.util.Locale;

/**
 * A text's word n-grams (shingles), each as a 64-bit hash: the text is NFKC-normalised, lower-cased
 * and split into words at anything that is not a letter or a digit. A text shorter than one shingle
 * is one shingle of all its words. Bounded: at most {@code maxWords} words are read, so a 1 MB text
 * costs what its first {@code maxWords} words cost.
 */
public final class Shingles {
  private final int size;
  private final int maxWords;

  public Shingles(int size, int maxWords) {
    if (size <= 0 || maxWords < size) {
      throw new IllegalArgumentException(
          "shingle size must be positive and at most the words read, got "
              + size
              + ", "
              + maxWords);
    }
    this.size = size;
    this.maxWords = maxWords;
  }

  /** The distinct shingle hashes of {@code text}, sorted; empty when it has no word. */
  public long[] of(String text) {
    long[] words = wordHashes(text);
    if (words.length == 0) {
      return new long[0];
    }
    int count = Math.max(1, words.length - size + 1);
    long[] out = new long[count];
    for (int i = 0; i < count; i++) {
      long h = 0x9E3779B97F4A7C15L;
      for (int w = i; w < Math.min(words.length, i + size); w++) {
        h = mix(h ^ words[w]);
      }
      out[i] = h;
    }
    return Arrays.stream(out).sorted().distinct().toArray();
  }

  private long[] wordHashes(String text) {
    String normal = Normalizer.normalize(text, Normalizer.Form.NFKC).toLowerCase(Locale.ROOT);
    long[] words = new long[16];
    int n = 0;
    int start = -1;
    for (int i = 0; i <= normal.length() && n < maxWords; ) {
      int cp = i < normal.length() ? normal.codePointAt(i) : ' ';
      boolean inWord = Character.isLetterOrDigit(cp);
      if (inWord && start < 0) {
        start = i;
      } else if (!inWord && start >= 0) {
        if (n == words.length) {
          words = Arrays.copyOf(words, n * 2);
        }
        words[n++] = hash(normal.substring(start, i));
        start = -1;
      }
      i += i < normal.length() ? Character.charCount(cp) : 1;
    }
    return Arrays.copyOf(words, n);
  }

  /** FNV-1a over the UTF-8 bytes, finished with a mix. */
  private static long hash(String word) {
    long h = 0xCBF29CE484222325L;
    for (byte b : word.getBytes(StandardCharsets.UTF_8)) {
      h = (h ^ (b & 0xFF)) * 0x100000001B3L;
    }
    return mix(h);
  }

  /** A 64-bit finaliser (the one of SplitMix64). */
  static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
