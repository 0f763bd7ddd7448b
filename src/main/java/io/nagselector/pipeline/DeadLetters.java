package io.nagselector.pipeline;

import io.nagselector.avro.DeadLetter;
import io.nagselector.avro.DeadLetterReason;
import java.nio.ByteBuffer;
import java.time.Instant;
import org.apache.flink.util.OutputTag;

/** The dead-letter side output shared by the operators, and how its records are made. */
public final class DeadLetters {
  public static final OutputTag<DeadLetter> TAG = new OutputTag<>("dead-letters") {};

  private DeadLetters() {}

  public static DeadLetter of(
      DeadLetterReason reason, String message, String docId, RawRecord raw, Instant now) {
    return DeadLetter.newBuilder()
        .setReason(reason)
        .setMessage(message)
        .setDocId(docId)
        .setRaw(raw == null || raw.value() == null ? null : ByteBuffer.wrap(raw.value()))
        .setSourceTopic(raw == null ? null : raw.topic())
        .setSourcePartition(raw == null ? null : raw.partition())
        .setSourceOffset(raw == null ? null : raw.offset())
        .setTime(now)
        .build();
  }
}
