package io.nagselector.pipeline.near;

/**
 * A probe waiting in the bucket index for the watermark: its text and that text's place among the
 * texts of its timestamp. The bucket is the timer's key and the timestamp the timer's time.
 */
public record WaitingProbe(long key, long sequence) {}
