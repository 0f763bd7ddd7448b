package io.nagselector.duplicates.near;

import io.nagselector.pipeline.near.Signature;

/** One band's answer for a text: the signature of the text that was first in its bucket. */
public record BandAnswer(long key, Signature first) {}
