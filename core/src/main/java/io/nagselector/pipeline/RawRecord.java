package io.nagselector.pipeline;

/** A record value as read from Kafka, with where it came from (for dead letters). */
public record RawRecord(String topic, int partition, long offset, byte[] value) {

  /** Where it came from, without the bytes. */
  public RawRecord withoutValue() {
    return new RawRecord(topic, partition, offset, null);
  }
}
