package io.nagselector.rank;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Random pools ranked both by {@link PoolRanker} (through files) and by {@link ReferenceRank}: the
 * same documents in the same order with the same distances. Pools are small over few neurons so
 * that ties are frequent. K < 8 and fewer than 8 neurons keep both summation orders identical;
 * power 1 with power-of-two example totals keeps every weight dyadic: ties must match exactly.
 */
class PoolRankerReferenceTest {
  @TempDir Path dir;

  @ParameterizedTest
  @ValueSource(ints = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20})
  void matchesTheReferenceOnRandomPools(int seed) throws IOException {
    for (int round = 0; round < 10; round++) {
      runCase(new Random(seed * 100L + round), round);
    }
  }

  private void runCase(Random rnd, int round) throws IOException {
    int layers = 1 + rnd.nextInt(4);
    int topK = new int[] {1, 2, 4}[rnd.nextInt(3)];
    boolean dyadic = rnd.nextBoolean();
    // with fewer than 8 neurons a layer's normalising sum is sequential in NumPy's order too
    int neurons = topK + 1 + rnd.nextInt(dyadic ? 10 : 7 - topK);
    int examples = dyadic ? 1 << rnd.nextInt(4) : 1 + rnd.nextInt(9);
    double power = dyadic ? 1.0 : new double[] {0.5, 1.0, 2.0}[rnd.nextInt(3)];
    boolean numericIds = rnd.nextInt(4) == 0;
    boolean quality = rnd.nextInt(3) == 0;
    boolean invert = rnd.nextBoolean();
    double fraction =
        switch (rnd.nextInt(6)) {
          case 0 -> 0.0;
          case 1 -> 1.0;
          default -> rnd.nextDouble();
        };

    List<int[]> targets = new ArrayList<>();
    List<String> targetLines = new ArrayList<>();
    for (int e = 0; e < examples; e++) {
      int[] f = feature(rnd, layers, topK, neurons);
      targets.add(f);
      targetLines.add(PoolFiles.featureLine("t" + e, f));
    }
    int n = rnd.nextInt(60);
    List<ReferenceRank.Doc> pool = new ArrayList<>();
    List<String> featureLines = new ArrayList<>();
    List<Map<String, Object>> payload = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      Object id = numericIds ? (Object) (long) rnd.nextInt(1_000_000) : randomId(rnd);
      if (pool.stream().anyMatch(d -> d.id().equals(id))) {
        continue;
      }
      int[] f = feature(rnd, layers, topK, neurons);
      Long tokens = rnd.nextInt(10) == 0 ? null : (long) rnd.nextInt(rnd.nextBoolean() ? 3 : 50);
      Double q = rnd.nextInt(8) == 0 ? null : (double) rnd.nextInt(5) / 4;
      pool.add(new ReferenceRank.Doc(id, f, tokens, q));
      featureLines.add(PoolFiles.featureLine(id, f));
      Map<String, Object> row = PoolFiles.payload(id, tokens, "web");
      row.put("token_num", tokens);
      row.put("q", q);
      payload.add(row);
    }
    Collections.shuffle(payload, rnd);
    PoolFiles.writeLines(dir.resolve("target.jsonl"), targetLines);
    PoolFiles.writeLines(dir.resolve("pool.jsonl"), featureLines);
    PoolFiles.writeJsonl(dir.resolve("payload.jsonl"), payload);

    RankerFixture fixture = RankerFixture.in(dir, layers, topK).fraction(fraction).power(power);
    if (quality) {
      fixture.quality("q", invert);
    }
    fixture.run("target.jsonl", "pool.jsonl", "payload.jsonl");
    List<Map<String, Object>> actual = PoolFiles.readRows(fixture.outputPath());
    List<ReferenceRank.Selected> expected =
        ReferenceRank.rank(targets, pool, layers, topK, power, fraction, quality, invert);

    String context = "round " + round + " L=" + layers + " K=" + topK + " n=" + pool.size();
    assertThat(actual).as(context).hasSize(expected.size());
    for (int i = 0; i < expected.size(); i++) {
      Object id = actual.get(i).get("docid");
      Object expectedId = expected.get(i).id();
      assertThat(id instanceof Number num ? (Object) num.longValue() : id)
          .as(context + " row " + i)
          .isEqualTo(expectedId);
      assertThat((double) actual.get(i).get("nag_distance"))
          .as(context + " row " + i)
          .isEqualTo(expected.get(i).distance());
      if (quality) {
        assertThat((double) actual.get(i).get("combined_score"))
            .isEqualTo(expected.get(i).combined());
      }
    }
  }

  private static int[] feature(Random rnd, int layers, int topK, int neurons) {
    int[] f = new int[layers * topK];
    for (int l = 0; l < layers; l++) {
      int[] distinct = rnd.ints(0, neurons).distinct().limit(topK).toArray();
      System.arraycopy(distinct, 0, f, l * topK, topK);
    }
    return f;
  }

  private static String randomId(Random rnd) {
    String[] parts = {"a", "B", "é", "\uFFFD", "\uD83D\uDE00", "1", "_"};
    StringBuilder s = new StringBuilder();
    for (int i = 0; i < 1 + rnd.nextInt(3); i++) {
      s.append(parts[rnd.nextInt(parts.length)]);
    }
    return s.toString();
  }
}
