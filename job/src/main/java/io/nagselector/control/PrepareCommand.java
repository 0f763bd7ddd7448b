package io.nagselector.control;

import io.nagselector.avro.TargetCommand;
import io.nagselector.extract.FeatureExtractor;
import io.nagselector.model.ExtractionResult;
import io.nagselector.model.NeuronType;
import io.nagselector.pipeline.ControlCommand;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.streaming.api.functions.async.ResultFuture;
import org.apache.flink.streaming.api.functions.async.RichAsyncFunction;

/**
 * Extracts a command's example texts through the same extractor as the documents. A command over
 * the example limits is passed on unextracted (the registry refuses it), so a hostile command costs
 * no inference; one whose extraction outlasts the async timeout is answered as timed out instead of
 * failing the job.
 */
public final class PrepareCommand extends RichAsyncFunction<ControlCommand, PreparedCommand> {
  private final FeatureExtractor.Factory factory;
  private final NeuronType type;
  private final TargetRules.Defaults limits;
  private transient FeatureExtractor extractor;

  public PrepareCommand(
      FeatureExtractor.Factory factory, NeuronType type, TargetRules.Defaults limits) {
    this.factory = factory;
    this.type = type;
    this.limits = limits;
  }

  @Override
  public void timeout(ControlCommand control, ResultFuture<PreparedCommand> result) {
    if (control.endOfReplay()) {
      result.complete(List.of(PreparedCommand.replayed()));
      return;
    }
    result.complete(
        List.of(
            new PreparedCommand(
                control.command(), new int[0][], 0, extractor.fingerprint(), control.raw(), true)));
  }

  /** Whether the command alone is over the limits, so extracting its examples would be wasted. */
  public boolean overLimits(TargetCommand command) {
    return limits.overLimits(command, 0, 0).isPresent();
  }

  @Override
  public void open(OpenContext context) {
    extractor = factory.open();
  }

  @Override
  public void close() {
    if (extractor != null) {
      extractor.close();
    }
  }

  @Override
  public void asyncInvoke(ControlCommand control, ResultFuture<PreparedCommand> result) {
    if (control.endOfReplay()) {
      result.complete(List.of(PreparedCommand.replayed()));
      return;
    }
    TargetCommand command = control.command();
    if (overLimits(command)) {
      result.complete(
          List.of(
              new PreparedCommand(command, List.of(), 0, extractor.fingerprint(), control.raw())));
      return;
    }
    List<CompletableFuture<ExtractionResult>> pending = new ArrayList<>();
    for (int i = 0; i < command.getExampleTexts().size(); i++) {
      pending.add(
          extractor.extract(command.getTarget() + "#" + i, command.getExampleTexts().get(i)));
    }
    CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new))
        .whenComplete(
            (ignored, error) -> {
              List<int[]> features = new ArrayList<>();
              int failed = 0;
              for (CompletableFuture<ExtractionResult> f : pending) {
                ExtractionResult r = f.isCompletedExceptionally() ? null : f.join();
                if (r instanceof ExtractionResult.Features ok) {
                  features.add(ok.features().get(type));
                } else {
                  failed++;
                }
              }
              for (List<Integer> given : command.getExampleFeatures()) {
                features.add(given.stream().mapToInt(Integer::intValue).toArray());
              }
              result.complete(
                  List.of(
                      new PreparedCommand(
                          command, features, failed, extractor.fingerprint(), control.raw())));
            });
  }
}
