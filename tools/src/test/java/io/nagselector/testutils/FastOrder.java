package io.nagselector.testutils;

import java.util.Map;

/**
 * The stream-order settings most integration tests run with: their one producer stamps each
 * partition in order, so 100 ms of out-of-orderness and half a second of quiet put every document
 * in order without the defaults' 1 s and 2 s on every wait. {@code BacklogEqualsPacedIT} runs the
 * defaults.
 */
public final class FastOrder {
  public static final Map<String, String> ENV =
      Map.of(
          "NAG_DEDUPE_ORDER_OUT_OF_ORDERNESS", "100ms",
          "NAG_DEDUPE_ORDER_QUIET_AFTER", "500ms");

  private FastOrder() {}
}
