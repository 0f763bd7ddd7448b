package io.nagselector.dataset;

import io.nagselector.avro.SelectedDocument;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.streaming.api.functions.sink.filesystem.BucketAssigner;
import org.apache.flink.streaming.api.functions.sink.filesystem.bucketassigners.SimpleVersionedStringSerializer;

/** Buckets the dataset's rows by their {@link PartitionPath}. */
final class DatasetBuckets implements BucketAssigner<SelectedDocument, String> {
  private static final long serialVersionUID = 1L;
  private final PartitionPath partitioning;

  DatasetBuckets(PartitionPath partitioning) {
    this.partitioning = partitioning;
  }

  @Override
  public String getBucketId(SelectedDocument element, Context context) {
    return partitioning.of(element);
  }

  @Override
  public SimpleVersionedSerializer<String> getSerializer() {
    return SimpleVersionedStringSerializer.INSTANCE;
  }
}
