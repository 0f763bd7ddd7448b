package io.nagselector.pipeline.near;

/**
 * What the near-duplicate stage remembers of a text: its key (64 bits of its hash, as the exact
 * dedupe's), its document's id, where it came in the stream, and its sketch. The order is {@link
 * io.nagselector.pipeline.order.StreamOrder}: the record's timestamp (the time the stage read it
 * when the record has none), then its partition and offset ({@code sequence}), then the key. A text
 * is only ever a near-duplicate of one before it. (Savepoints of earlier builds hold a sequence
 * that numbered the records each subtask read.)
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
