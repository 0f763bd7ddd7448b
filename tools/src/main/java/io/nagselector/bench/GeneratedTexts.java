package io.nagselector.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/** Documents for the benchmarks: words drawn from a small mixed-domain vocabulary. */
public final class GeneratedTexts {
  private static final String[] WORDS =
      ("the of and to in is was for on that with as by at from energy light water cell protein star "
              + "planet recipe butter flour oven team match goal season court contract market price "
              + "function code data system model river mountain city history war music art science")
          .split(" ");

  private GeneratedTexts() {}

  /**
   * {@code count} texts of 5-150 words from a small vocabulary, each starting with its prefix and
   * index.
   */
  public static List<String> texts(SplittableRandom rnd, int count, String prefix) {
    List<String> texts = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      StringBuilder s = new StringBuilder(prefix).append(i);
      for (int w = 0, n = 5 + rnd.nextInt(146); w < n; w++) {
        s.append(' ').append(WORDS[rnd.nextInt(WORDS.length)]);
      }
      texts.add(s.toString());
    }
    return texts;
  }
}
