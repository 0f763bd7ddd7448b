package io.nagselector.pipeline.near;

import io.nagselector.pipeline.SourcedDocument;

/** A document waiting for its bands' answers, with its own signature. */
public record PendingDocument(SourcedDocument document, Signature self) {}
