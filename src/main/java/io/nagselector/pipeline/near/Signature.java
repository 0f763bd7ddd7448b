package io.nagselector.pipeline.near;

/**
 * What the near-duplicate stage remembers of a text: its key (64 bits of its hash, as the exact
 * dedupe's), its document's id, where it came in the stream, and its sketch. The order is the
 * record's timestamp (the time the stage read it when the record has none), then a sequence that
 * numbers the records each subtask read: a text is only ever a near-duplicate of one before it, so
 * of two texts racing through different buckets, the earlier is kept.
 */
public record Signature(long key, String id, long time, long sequence, byte[] sketch) {

  public boolean before(Signature other) {
    if (time != other.time) {
      return time < other.time;
    }
    if (sequence != other.sequence) {
      return sequence < other.sequence;
    }
    return key < other.key;
  }
}
