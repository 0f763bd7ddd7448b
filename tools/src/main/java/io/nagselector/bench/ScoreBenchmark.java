package io.nagselector.bench;

import io.nagselector.nag.NagFeature;
import io.nagselector.nag.ProfileMatrix;
import io.nagselector.nag.TargetProfile;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Scoring throughput: one document against M targets per operation (one thread, one core). The
 * doc-target scoring rate is ops/s x M. Features are uniformly random, the cache-unfriendliest
 * case.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class ScoreBenchmark {
  static final int DOCS = 256;

  @Param({"28"})
  public int layers;

  @Param({"20"})
  public int topK;

  @Param({"3072", "6144"})
  public int neurons;

  @Param({"1", "10", "100"})
  public int targets;

  @Param({"64"})
  public int examplesPerTarget;

  /** true: the NumPy-exact double matrix that {@code rank} uses; false: the fast form. */
  @Param({"false"})
  public boolean exact;

  private ProfileMatrix matrix;
  private ProfileMatrix.Scratch scratch;
  private int[][] docs;
  private double[] out;

  @Setup(Level.Trial)
  public void setUp() {
    Random rnd = new Random(42);
    List<TargetProfile> profiles = new ArrayList<>();
    for (int t = 0; t < targets; t++) {
      TargetProfile.Builder builder = TargetProfile.builder(layers, topK, neurons);
      for (int e = 0; e < examplesPerTarget; e++) {
        builder.add(NagFeature.of("e" + e, layers, topK, neurons, randomIndices(rnd)));
      }
      profiles.add(builder.build());
    }
    matrix = exact ? ProfileMatrix.exact(profiles) : ProfileMatrix.of(profiles);
    scratch = matrix.newScratch();
    out = new double[targets];
    docs = new int[DOCS][];
    for (int d = 0; d < DOCS; d++) {
      docs[d] = randomIndices(rnd);
    }
  }

  private int[] randomIndices(Random rnd) {
    int[] idx = new int[layers * topK];
    for (int l = 0; l < layers; l++) {
      int[] distinct = rnd.ints(0, neurons).distinct().limit(topK).toArray();
      System.arraycopy(distinct, 0, idx, l * topK, topK);
    }
    return idx;
  }

  /** Scores {@value #DOCS} documents against every target; one op = one document. */
  @Benchmark
  @OperationsPerInvocation(DOCS)
  public void scoreAgainstAllTargets(Blackhole bh) {
    for (int[] doc : docs) {
      matrix.similarities(doc, scratch, out);
      bh.consume(out[0]);
    }
  }
}
