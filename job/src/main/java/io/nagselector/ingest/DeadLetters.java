package io.nagselector.ingest;

import io.nagselector.avro.DeadLetter;
import io.nagselector.avro.DeadLetterReason;
import io.nagselector.pipeline.RawRecord;
import java.nio.ByteBuffer;
import java.time.Instant;
import org.apache.flink.util.OutputTag;

/** The dead-letter side output shared by the operators, and how its records are made. */
public final class DeadLetters {
  public static final OutputTag<DeadLetter> TAG = new OutputTag<>("dead-letters") {};

  private DeadLetters() {}

  /**
   * Raw records above this are not copied into their dead letter, which must stay well under
   * Kafka's default 1 MB record limit (an oversized dead letter would fail the sink, and the job
   * with it).
   */
  public static final int MAX_RAW_BYTES = 256 * 1024;

  public static DeadLetter of(
      DeadLetterReason reason, String message, String docId, RawRecord raw, Instant now) {
    boolean copy = raw != null && raw.value() != null && raw.value().length <= MAX_RAW_BYTES;
    if (raw != null && raw.value() != null && !copy) {
      message += " (the raw record, " + raw.value().length + " bytes, is not copied)";
    }
    return DeadLetter.newBuilder()
        .setReason(reason)
        .setMessage(message)
        .setDocId(docId)
        .setRaw(copy ? ByteBuffer.wrap(raw.value()) : null)
        .setSourceTopic(raw == null ? null : raw.topic())
        .setSourcePartition(raw == null ? null : raw.partition())
        .setSourceOffset(raw == null ? null : raw.offset())
        .setTime(now)
        .build();
  }
}
