package io.nagselector.dataset;

import io.nagselector.avro.SelectedDocument;
import org.apache.flink.api.common.functions.RichMapFunction;

/** A selection's partition and its writer's index, for the manifest ({@link DatasetManifest}). */
final class ToPartitionWrite extends RichMapFunction<SelectedDocument, PartitionWrite> {
  private final PartitionPath layout;

  ToPartitionWrite(PartitionPath layout) {
    this.layout = layout;
  }

  @Override
  public PartitionWrite map(SelectedDocument d) {
    return new PartitionWrite(
        layout.of(d), getRuntimeContext().getTaskInfo().getIndexOfThisSubtask());
  }
}
