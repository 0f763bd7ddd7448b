package io.nagselector.dedupe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Shingles, MinHash and LSH bands, each with what the math says it must give. */
class NearDuplicatePartsTest {
  private final Shingles shingles = new Shingles(3, 1000);

  @Test
  void shinglesAreWordTrigramsOfTheNormalisedText() {
    // 5 words: 3 trigrams; case, punctuation and spacing do not matter, NFKC folds the ligature
    assertThat(shingles.of("The quick brown fox jumps")).hasSize(3);
    assertThat(shingles.of("the  QUICK, brown—fox; jumps!"))
        .containsExactly(shingles.of("The quick brown fox jumps"));
    assertThat(shingles.of("ﬁsh and chips")).containsExactly(shingles.of("fish and chips"));
    // shorter than one shingle: one shingle of all its words; nothing to shingle: none
    assertThat(shingles.of("two words")).hasSize(1);
    assertThat(shingles.of(" ... !!! ")).isEmpty();
  }

  @Test
  void hostileTextsCostBoundedShingles() {
    // one word 100,000 times: one distinct shingle
    assertThat(shingles.of("spam ".repeat(100_000))).hasSize(1);
    // a 1 MB text of distinct words is read up to maxWords: 1000 words, 998 trigrams
    StringBuilder big = new StringBuilder();
    for (int i = 0; big.length() < 1_000_000; i++) {
      big.append("w").append(i).append(' ');
    }
    assertThat(shingles.of(big.toString())).hasSize(998);
  }

  @Test
  void minHashEstimatesJaccard() {
    MinHash minHash = new MinHash(512, 7);
    long[] a = new long[400];
    long[] b = new long[400];
    for (int i = 0; i < 400; i++) {
      a[i] = Shingles.mix(i);
      b[i] = Shingles.mix(i + 100); // 300 shared of 500: Jaccard 0.6
    }
    assertThat(MinHash.similarity(minHash.signature(a), minHash.signature(a))).isEqualTo(1.0);
    // 512 permutations: standard error sqrt(0.6 x 0.4 / 512) = 0.022
    assertThat(MinHash.similarity(minHash.signature(a), minHash.signature(b)))
        .isCloseTo(0.6, within(0.07));
    // the same seed gives the same functions: signatures of different runs compare
    assertThat(new MinHash(512, 7).signature(b)).containsExactly(minHash.signature(b));
  }

  @Test
  void bandsCollideAsTheSCurveSays() {
    LshBands lsh = new LshBands(20, 8);
    assertThat(lsh.permutations()).isEqualTo(160);
    // 1 - (1 - s^8)^20
    assertThat(lsh.collisionProbability(0.85)).isCloseTo(0.99828, within(1e-5));
    assertThat(lsh.collisionProbability(0.5)).isCloseTo(0.07529, within(1e-5));
    long[] signature = new long[160];
    long[] other = signature.clone();
    other[0] = 1; // differs in band 0 only
    long[] x = lsh.buckets(signature);
    long[] y = lsh.buckets(other);
    assertThat(x[0]).isNotEqualTo(y[0]);
    for (int b = 1; b < 20; b++) {
      assertThat(x[b]).isEqualTo(y[b]);
    }
  }

  @Test
  void theFirstOccurrenceWinsAndTakesOnlyTheBucketsNoTextHad() {
    NearDuplicates rule = NearDuplicates.defaults();
    NearDuplicateIndex index = new NearDuplicateIndex(NearDuplicates.THRESHOLD);
    String text =
        "the committee met on tuesday to discuss the budget for the new library and agreed to"
            + " fund the reading room, the archive and a children's corner by the end of the year";
    Fingerprint a = rule.fingerprint(text);
    assertThat(index.offer("a", a)).isEmpty();
    int remembered = index.size();
    Fingerprint near = rule.fingerprint(text + " today");
    long shared = Arrays.stream(near.buckets()).filter(b -> contains(a, b)).count();
    assertThat(index.offer("b", near))
        .hasValueSatisfying(m -> assertThat(m.firstId()).isEqualTo("a"));
    // b was not first in the buckets it shares with a, but it is in the others
    assertThat(index.size()).isEqualTo(remembered + 20 - shared);
    // a copy of b matches the most similar earlier text: b, by its buckets of its own
    assertThat(index.offer("b2", rule.fingerprint(text + " today")))
        .contains(new NearDuplicateIndex.Match("b", 1.0));
    assertThat(index.offer("c", rule.fingerprint("an unrelated text about cooking pasta well")))
        .isEmpty();
    // a text without a word has no buckets: never a near-duplicate, never remembered
    assertThat(index.offer("d", rule.fingerprint("!!!"))).isEmpty();
  }

  @Test
  void aSketchEstimatesTheJaccardSimilarityAsTheFullSignatureDoes() {
    MinHash minHash = new MinHash(160, 7);
    long[] sa = minHash.signature(sharing(1000));
    long[] sb = minHash.signature(sharing(800)); // 800 shared of 1,200: Jaccard 2/3
    assertThat(Sketch.similarity(Sketch.of(sa), Sketch.of(sa))).isEqualTo(1.0);
    assertThat(Sketch.similarity(Sketch.of(sa), Sketch.of(sb)))
        .isCloseTo(MinHash.similarity(sa, sb), within(0.1))
        .isCloseTo(2.0 / 3, within(0.1));
    // unrelated: the low 2 bits agree by chance 1 time in 4, which the estimate removes
    long[] c = new long[1000];
    Arrays.setAll(c, i -> 50_000 + i);
    assertThat(Sketch.similarity(Sketch.of(sa), Sketch.of(minHash.signature(c)))).isLessThan(0.1);
  }

  /** 1,000 shingles, the first {@code shared} of them 0, 1, 2, ..., the rest unlike any other. */
  private static long[] sharing(int shared) {
    long[] set = new long[1000];
    Arrays.setAll(set, i -> i < shared ? i : 10_000 + i);
    return set;
  }

  @Test
  void aSketchPacksFourValuesToAByteAfterOneThatSaysHowFullTheLastIs() {
    assertThat(Sketch.of(new long[] {1, 2, 3, 4, 7, 11, 12, 13}))
        .containsExactly(0, 1 | 2 << 2 | 3 << 4, 3 | 3 << 2 | 1 << 6);
    byte[] three = Sketch.of(new long[] {7, 6, 5});
    assertThat(three).containsExactly(3, 3 | 2 << 2 | 1 << 4);
    assertThat(Sketch.similarity(three, three)).isEqualTo(1.0);
    assertThat(Sketch.similarity(three, Sketch.of(new long[] {7, 6, 4})))
        .isCloseTo((2.0 / 3 - 0.25) / 0.75, within(1e-12));
  }

  /**
   * A savepoint of an earlier build holds one byte per value: its low 2 bits are the new sketch.
   */
  @Test
  void aRememberedSketchOfAnEarlierBuildComparesByItsLowTwoBits() {
    MinHash minHash = new MinHash(160, 7);
    long[] sa = minHash.signature(sharing(1000));
    long[] sb = minHash.signature(sharing(900));
    byte[] earlier = new byte[160];
    for (int i = 0; i < 160; i++) {
      earlier[i] = (byte) sa[i]; // how builds before 2-bit sketches kept it
    }
    assertThat(Sketch.of(sa)).hasSize(41);
    assertThat(Sketch.similarity(earlier, Sketch.of(sb)))
        .isEqualTo(Sketch.similarity(Sketch.of(sa), Sketch.of(sb)))
        .isGreaterThan(0.7);
    assertThat(Sketch.similarity(earlier, Sketch.of(sa))).isEqualTo(1.0);
    assertThatThrownBy(() -> Sketch.similarity(new byte[7], Sketch.of(sb)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("sketches of 7 and 41 bytes do not compare");
  }

  private static boolean contains(Fingerprint f, long bucket) {
    return Arrays.stream(f.buckets()).anyMatch(b -> b == bucket);
  }

  @Test
  void hostileTextsCostBoundedWorkAndState() {
    NearDuplicates rule = NearDuplicates.defaults();
    // a 1 MB text: only its first 100,000 words are read
    StringBuilder big = new StringBuilder();
    for (int i = 0; big.length() < 1_000_000; i++) {
      big.append("w").append(i).append(' ');
    }
    String first = String.join(" ", Arrays.copyOf(big.toString().split(" "), 100_000));
    assertThat(rule.shingles().of(big.toString())).hasSize(100_000 - 4);
    assertThat(rule.fingerprint(big.toString()))
        .usingRecursiveComparison()
        .isEqualTo(rule.fingerprint(first));
    // one word 100,000 times: one shingle, a near-duplicate of the same word any other number of
    // times (at least five)
    String repeated = "spam ".repeat(100_000);
    assertThat(rule.shingles().of(repeated)).hasSize(1);
    assertThat(similarity(rule, repeated, "spam ".repeat(7))).isEqualTo(1.0);
    // shorter than one shingle: its words, in order, are its one shingle
    assertThat(rule.shingles().of("Hello, World")).hasSize(1);
    assertThat(similarity(rule, "Hello, World", "hello world!")).isEqualTo(1.0);
    assertThat(similarity(rule, "Hello, World", "world hello")).isLessThan(0.1);
    // no letter and no digit: nothing to remember
    assertThat(rule.fingerprint("!!! ??? ***").hasWords()).isFalse();
    // whatever the length, the same state: 20 buckets and a 41-byte sketch
    for (String text : List.of(big.toString(), repeated, "Hello, World")) {
      Fingerprint f = rule.fingerprint(text);
      assertThat(f.buckets()).hasSize(20);
      assertThat(f.sketch()).hasSize(41);
    }
  }

  private static double similarity(NearDuplicates rule, String a, String b) {
    return Sketch.similarity(rule.fingerprint(a).sketch(), rule.fingerprint(b).sketch());
  }
}
