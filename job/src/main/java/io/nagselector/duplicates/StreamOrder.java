package io.nagselector.duplicates;

import io.nagselector.pipeline.SourcedDocument;
import java.util.Comparator;

/**
 * The one order in which the dedupe stages call a text earlier than another: the Kafka record's
 * timestamp, then its partition, then its offset. It is a property of the crawl topic's content, so
 * a backlog, a paced stream, any parallelism and a restore all see the same order.
 */
public final class StreamOrder {
  /** Bits of a {@link #sequence} that hold the offset: 2^42 records per partition. */
  private static final int OFFSET_BITS = 42;

  /** Documents of one timestamp, by partition then offset. */
  public static final Comparator<SourcedDocument> WITHIN_TIMESTAMP =
      Comparator.comparingLong(d -> sequence(d.origin().partition(), d.origin().offset()));

  private StreamOrder() {}

  /** A record's place among the records of one timestamp: partition, then offset, in one long. */
  public static long sequence(int partition, long offset) {
    return ((long) partition << OFFSET_BITS) | (offset & ((1L << OFFSET_BITS) - 1));
  }
}
