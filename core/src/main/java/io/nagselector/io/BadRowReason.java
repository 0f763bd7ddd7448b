package io.nagselector.io;

/** Why an input row was rejected: machine-readable, written into the rejected-rows file. */
public enum BadRowReason {
  MALFORMED_JSON,
  MISSING_COLUMN,
  BAD_DOC_ID,
  INVALID_FEATURE,
  DUPLICATE_DOC_ID,
  BAD_TOKEN_COUNT,
  BAD_QUALITY
}
