package io.nagselector.control;

import io.nagselector.avro.TargetCommand;
import io.nagselector.pipeline.RawRecord;
import java.util.List;

/**
 * A control command with its example texts turned into features by the job's extractor.
 *
 * @param features the usable example features (texts extracted, plus any precomputed ones)
 * @param failedTexts how many example texts produced no feature (e.g. empty after tokenization)
 * @param raw the control-topic record it came from (null in tests)
 * @param timedOut extracting the examples took longer than the async timeout
 */
public record PreparedCommand(
    TargetCommand command,
    int[][] features,
    int failedTexts,
    String fingerprint,
    RawRecord raw,
    boolean timedOut) {

  public PreparedCommand(
      TargetCommand command,
      List<int[]> features,
      int failedTexts,
      String fingerprint,
      RawRecord raw) {
    this(command, features.toArray(int[][]::new), failedTexts, fingerprint, raw, false);
  }
}
