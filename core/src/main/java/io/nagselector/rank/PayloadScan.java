package io.nagselector.rank;

import io.nagselector.io.BadRowReason;
import io.nagselector.io.BadRows;
import io.nagselector.io.DocIdValue;
import io.nagselector.io.RowFiles;
import io.nagselector.io.UserInputException;
import java.nio.file.Path;
import java.util.BitSet;
import java.util.List;
import java.util.function.LongConsumer;

/**
 * The first pass over the pool payload: joins each row to its feature by doc id and records its
 * token count (and quality); counts rows present on one side only.
 */
final class PayloadScan {
  private final PoolIndex pool;
  private final int[] byId;
  private final int unique;

  final long[] tokens;
  final double[] quality;
  final BitSet joined;
  final BitSet numericIds;
  private final BitSet seen;
  long rows;
  long payloadWithoutFeatures;
  long featuresWithoutPayload;
  long missingQuality;

  /** {@code qualityColumn} null: no quality is read. */
  PayloadScan(PoolIndex pool, int[] byId, int unique, String qualityColumn) {
    this.pool = pool;
    this.byId = byId;
    this.unique = unique;
    this.tokens = new long[pool.size()];
    this.quality = qualityColumn == null ? null : new double[pool.size()];
    this.joined = new BitSet(pool.size());
    this.numericIds = new BitSet(pool.size());
    this.seen = new BitSet(pool.size());
  }

  void read(List<Path> files, RankOptions o, BadRows bad, LongConsumer progress) {
    boolean[] columnsSeen = new boolean[2];
    RowFiles.read(
        files,
        (row, where) -> {
          rows++;
          if (!row.containsKey(o.idColumn())) {
            bad.reject(
                where,
                null,
                BadRowReason.MISSING_COLUMN,
                "missing column '" + o.idColumn() + "'",
                null);
            return;
          }
          DocIdValue id = DocIdValue.of(row.get(o.idColumn()));
          if (id == null) {
            bad.reject(
                where,
                null,
                BadRowReason.BAD_DOC_ID,
                "'" + o.idColumn() + "' must be a string or an integer",
                null);
            return;
          }
          int doc = pool.find(byId, unique, id.text());
          if (doc < 0) {
            payloadWithoutFeatures++;
            return;
          }
          if (seen.get(doc)) {
            bad.reject(
                where,
                id.text(),
                BadRowReason.DUPLICATE_DOC_ID,
                "doc id " + id.text() + " appears more than once in the pool payload",
                null);
            return;
          }
          seen.set(doc);
          columnsSeen[0] |= row.containsKey(o.tokenColumn());
          try {
            tokens[doc] = PayloadValues.tokens(row.get(o.tokenColumn()));
          } catch (IllegalArgumentException e) {
            bad.reject(
                where,
                id.text(),
                BadRowReason.BAD_TOKEN_COUNT,
                "column '" + o.tokenColumn() + "': " + e.getMessage(),
                null);
            return;
          }
          if (quality != null) {
            columnsSeen[1] |= row.containsKey(o.qualityColumn());
            Double q;
            try {
              q = PayloadValues.quality(row.get(o.qualityColumn()));
            } catch (IllegalArgumentException e) {
              bad.reject(
                  where,
                  id.text(),
                  BadRowReason.BAD_QUALITY,
                  "column '" + o.qualityColumn() + "': " + e.getMessage(),
                  null);
              return;
            }
            if (q == null) {
              missingQuality++;
              return;
            }
            quality[doc] = q;
          }
          joined.set(doc);
          if (id.numeric()) {
            numericIds.set(doc);
          }
        },
        bad,
        progress);
    if (rows > 0 && !columnsSeen[0]) {
      throw new UserInputException(
          "pool payload is missing token column '" + o.tokenColumn() + "' (see --token-col)");
    }
    if (quality != null && rows > 0 && !columnsSeen[1]) {
      throw new UserInputException(
          "pool payload is missing quality column '" + o.qualityColumn() + "' (see --quality-col)");
    }
    for (int i = 0; i < unique; i++) {
      if (!seen.get(byId[i])) {
        featuresWithoutPayload++;
      }
    }
  }
}
