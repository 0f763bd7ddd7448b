package io.nagselector.rank;

import io.nagselector.io.BadRowReason;
import io.nagselector.io.BadRows;
import io.nagselector.io.DataFormat;
import io.nagselector.io.DocIdValue;
import io.nagselector.io.FeatureFiles;
import io.nagselector.io.InputPaths;
import io.nagselector.io.Location;
import io.nagselector.io.RowFiles;
import io.nagselector.io.RowSchema;
import io.nagselector.io.RowWriter;
import io.nagselector.io.UserInputException;
import io.nagselector.nag.BudgetSelection;
import io.nagselector.nag.LayerSelection;
import io.nagselector.nag.NagFeature;
import io.nagselector.nag.ProfileMatrix;
import io.nagselector.nag.QualityFusion;
import io.nagselector.nag.TargetProfile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongConsumer;
import java.util.regex.Pattern;

/**
 * Ranks a static pool against one target exactly as the published {@code rank.py} (or, with a
 * quality column, {@code rank_with_quality.py}) does, in bounded memory: features are streamed and
 * only (id, distance, tokens) is kept per document; the payload is read twice, once for token
 * counts and once to write the selected rows in selection order.
 */
public final class PoolRanker {
  static final String DISTANCE_COLUMN = "nag_distance";
  static final String COMBINED_COLUMN = "combined_score";
  private static final Pattern PANDAS_INDEX = Pattern.compile("__index_level_\\d+__");

  private final RankOptions o;
  private final LongConsumer progress;

  public PoolRanker(RankOptions options, LongConsumer progress) {
    this.o = options;
    this.progress = progress;
  }

  public RankReport run() throws IOException {
    DataFormat.of(o.output());
    BudgetSelection.checkFraction(o.fraction(), "--fraction");
    if (o.numLayers() <= 0 || o.topK() <= 0 || o.numNeurons() < 0) {
      throw new UserInputException(
          "--num-layers and --top-k must be positive (got "
              + o.numLayers()
              + ", "
              + o.topK()
              + ")");
    }
    LayerSelection layers =
        o.layers() == null ? null : LayerSelection.parse(o.layers(), o.numLayers());
    InputPaths.expand(o.targetFeatures(), "--target-features");
    if (o.targetPayload() != null) {
      InputPaths.expand(o.targetPayload(), "--target-payload");
    }
    List<Path> featureFiles = InputPaths.expand(o.poolFeatures(), "--pool-features");
    List<Path> payloadFiles = InputPaths.expand(o.poolPayload(), "--pool-payload");
    try (BadRows bad = o.skipBad() ? BadRows.skipping(o.rejectedFile()) : BadRows.failing()) {
      TargetProfile profile = TargetLoader.load(o, layers, bad, progress);
      PoolIndex pool = scorePool(featureFiles, profile, layers, bad);
      int[] byId = pool.sortedById();
      int unique = dropDuplicateIds(pool, byId, featureFiles, bad);
      PayloadScan scan = new PayloadScan(pool, byId, unique, o.qualityColumn());
      scan.read(payloadFiles, o, bad, progress);
      Joined joined = join(pool, scan);
      int[] chosen =
          BudgetSelection.select(
              joined.scores, joined.ids, joined.numeric, joined.tokens, o.fraction());
      int[] rank = new int[pool.size()];
      Arrays.fill(rank, -1);
      long selectedTokens = 0;
      for (int r = 0; r < chosen.length; r++) {
        rank[joined.docs[chosen[r]]] = r;
        selectedTokens += joined.tokens[chosen[r]];
      }
      writeSelection(payloadFiles, pool, byId, unique, rank, chosen.length, joined);
      long total = 0;
      for (long t : joined.tokens) {
        total += t;
      }
      return new RankReport(
          profile.exampleCount(),
          profile.fingerprint(),
          pool.size(),
          scan.rows,
          joined.docs.length,
          scan.featuresWithoutPayload,
          scan.payloadWithoutFeatures,
          scan.missingQuality,
          total,
          BudgetSelection.budget(total, o.fraction()),
          chosen.length,
          selectedTokens,
          bad.counts(),
          bad.total() > 0 ? bad.rejectedFile() : null);
    }
  }

  private PoolIndex scorePool(
      List<Path> files, TargetProfile profile, LayerSelection layers, BadRows bad) {
    ProfileMatrix matrix = ProfileMatrix.exact(List.of(profile));
    ProfileMatrix.Scratch scratch = matrix.newScratch();
    double[] sim = new double[1];
    PoolIndex pool = new PoolIndex();
    Map<Path, Integer> fileIndex = new LinkedHashMap<>();
    for (int i = 0; i < files.size(); i++) {
      fileIndex.put(files.get(i), i);
    }
    new FeatureFiles(o.idColumn(), o.featureColumn(), bad)
        .read(
            files,
            row -> {
              NagFeature feature = row.validated(o.numLayers(), o.topK(), o.numNeurons(), bad);
              if (feature == null) {
                return;
              }
              int[] indices = layers == null ? feature.indices() : feature.slice(layers).indices();
              matrix.similarities(indices, scratch, sim);
              pool.add(
                  row.docId(),
                  1.0 - sim[0],
                  fileIndex.get(row.where().file()),
                  row.where().number());
            },
            progress);
    return pool;
  }

  /** Moves later duplicates of an id out of the lookup order; returns how many ids remain. */
  private static int dropDuplicateIds(PoolIndex pool, int[] byId, List<Path> files, BadRows bad) {
    int kept = 0;
    for (int i = 0; i < byId.length; i++) {
      int doc = byId[i];
      if (kept > 0 && pool.id(byId[kept - 1]).equals(pool.id(doc))) {
        int first = byId[kept - 1];
        Location where = featureLocation(pool, files, doc);
        bad.reject(
            where,
            pool.id(doc),
            BadRowReason.DUPLICATE_DOC_ID,
            "doc id "
                + pool.id(doc)
                + " appears more than once in the pool features (first at "
                + featureLocation(pool, files, first)
                + ")",
            null);
        continue;
      }
      byId[kept++] = doc;
    }
    return kept;
  }

  private static Location featureLocation(PoolIndex pool, List<Path> files, int doc) {
    Path file = files.get(pool.fileIndex(doc));
    return new Location(file, pool.line(doc), DataFormat.of(file) == DataFormat.PARQUET);
  }

  /** The pool documents present in both features and payload, with what selection needs. */
  private record Joined(
      int[] docs, String[] ids, boolean numeric, double[] scores, long[] tokens) {}

  private Joined join(PoolIndex pool, PayloadScan scan) {
    if (o.strict() && (scan.featuresWithoutPayload > 0 || scan.payloadWithoutFeatures > 0)) {
      throw new UserInputException(
          "--strict: "
              + scan.featuresWithoutPayload
              + " feature rows have no payload row and "
              + scan.payloadWithoutFeatures
              + " payload rows have no feature row");
    }
    int n = scan.joined.cardinality();
    int[] docs = new int[n];
    String[] ids = new String[n];
    double[] distances = new double[n];
    double[] quality = new double[n];
    long[] tokens = new long[n];
    boolean numeric = true;
    int j = 0;
    for (int doc = scan.joined.nextSetBit(0); doc >= 0; doc = scan.joined.nextSetBit(doc + 1)) {
      docs[j] = doc;
      ids[j] = pool.id(doc);
      numeric &= scan.numericIds.get(doc) && isLong(ids[j]);
      distances[j] = pool.distance(doc);
      tokens[j] = scan.tokens[doc];
      quality[j] = scan.quality == null ? 0 : scan.quality[doc];
      j++;
    }
    double[] scores =
        o.qualityColumn() == null
            ? distances
            : QualityFusion.combine(distances, quality, o.invertQuality());
    return new Joined(docs, ids, numeric, scores, tokens);
  }

  private static boolean isLong(String s) {
    try {
      Long.parseLong(s);
      return true;
    } catch (NumberFormatException e) {
      return false;
    }
  }

  private void writeSelection(
      List<Path> payloadFiles,
      PoolIndex pool,
      int[] byId,
      int unique,
      int[] rank,
      int selected,
      Joined joined)
      throws IOException {
    double[] combined = new double[pool.size()];
    if (o.qualityColumn() != null) {
      for (int j = 0; j < joined.docs.length; j++) {
        combined[joined.docs[j]] = joined.scores[j];
      }
    }
    Path output = o.output().toAbsolutePath();
    Files.createDirectories(output.getParent());
    Path partial = output.resolveSibling(output.getFileName() + ".partial");
    RowSchema schema = new RowSchema();
    BitSet written = new BitSet(pool.size());
    try (RowSpill spill = new RowSpill(selected, output.getParent())) {
      RowFiles.read(
          payloadFiles,
          (row, where) -> {
            DocIdValue id = DocIdValue.of(row.get(o.idColumn()));
            int doc = id == null ? -1 : pool.find(byId, unique, id.text());
            if (doc < 0 || rank[doc] < 0 || written.get(doc)) {
              return;
            }
            written.set(doc);
            Map<String, Object> out = new LinkedHashMap<>();
            out.put(o.idColumn(), row.get(o.idColumn()));
            row.forEach(
                (k, v) -> {
                  if (!k.equals(o.featureColumn()) && !PANDAS_INDEX.matcher(k).matches()) {
                    out.putIfAbsent(k, v);
                  }
                });
            out.put(DISTANCE_COLUMN, pool.distance(doc));
            if (o.qualityColumn() != null) {
              out.put(COMBINED_COLUMN, combined[doc]);
            }
            schema.observe(out);
            try {
              spill.put(rank[doc], out);
            } catch (IOException e) {
              throw new UserInputException("cannot write a temp file next to " + output, e);
            }
          },
          BadRows.ignoring(), // bad rows were reported by the first pass
          n -> {});
      try (RowWriter writer = RowWriter.open(partial, DataFormat.of(output), schema.toAvro())) {
        for (int r = 0; r < selected; r++) {
          writer.write(spill.get(r));
        }
      } catch (IOException | RuntimeException e) {
        Files.deleteIfExists(partial);
        throw e;
      }
    }
    Files.move(
        partial, output, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }
}
