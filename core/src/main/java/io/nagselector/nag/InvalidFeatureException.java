package io.nagselector.nag;

/** A NAG feature that cannot be used, with the document it belongs to. */
public final class InvalidFeatureException extends IllegalArgumentException {
  private final String docId;

  public InvalidFeatureException(String docId, String problem) {
    super("feature of doc " + docId + ": " + problem);
    this.docId = docId;
  }

  public String docId() {
    return docId;
  }
}
