package io.nagselector.kafka;

import java.nio.charset.StandardCharsets;

/** A record already encoded for its topic. */
public record EncodedRecord(String topic, byte[] key, byte[] value) {
  public static EncodedRecord of(String topic, String key, byte[] value) {
    return new EncodedRecord(topic, key.getBytes(StandardCharsets.UTF_8), value);
  }
}
