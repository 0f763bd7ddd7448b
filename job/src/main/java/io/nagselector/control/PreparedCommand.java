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
 * @param endOfReplay not a command: the mark that every command the control topic held when the job
 *     started without state has come before ({@link ControlCommand#replayed()})
 */
public record PreparedCommand(
    TargetCommand command,
    int[][] features,
    int failedTexts,
    String fingerprint,
    RawRecord raw,
    boolean timedOut,
    boolean endOfReplay) {

  public PreparedCommand(
      TargetCommand command,
      int[][] features,
      int failedTexts,
      String fingerprint,
      RawRecord raw,
      boolean timedOut) {
    this(command, features, failedTexts, fingerprint, raw, timedOut, false);
  }

  public static PreparedCommand replayed() {
    return new PreparedCommand(null, new int[0][], 0, null, null, false, true);
  }

  public PreparedCommand(
      TargetCommand command,
      List<int[]> features,
      int failedTexts,
      String fingerprint,
      RawRecord raw) {
    this(command, features.toArray(int[][]::new), failedTexts, fingerprint, raw, false);
  }
}
