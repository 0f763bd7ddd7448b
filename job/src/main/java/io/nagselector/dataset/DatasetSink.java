package io.nagselector.dataset;

import io.nagselector.avro.SelectedDocument;
import io.nagselector.config.ConfigKeys;
import io.nagselector.config.JobConfig;
import io.nagselector.io.UserInputException;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Collection;
import java.util.Optional;
import org.apache.flink.connector.file.sink.FileSink;
import org.apache.flink.core.fs.Path;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.functions.sink.filesystem.OutputFileConfig;

/**
 * The selected documents as a Parquet dataset under a filesystem URI, exactly once: Flink's file
 * sink writes each shard as a hidden in-progress file and gives it its final name only when the
 * checkpoint that finished it completes.
 *
 * @param uri where the dataset lives ({@code file://}, or any filesystem Flink has a plugin for)
 * @param maxShardBytes a shard is finished at this size
 * @param maxShardAge or when it has been open this long (and on every checkpoint)
 * @param rowGroupBytes the Parquet row group size
 * @param partitioning the folders a row goes under
 */
public record DatasetSink(
    String uri,
    long maxShardBytes,
    Duration maxShardAge,
    long rowGroupBytes,
    PartitionPath partitioning) {
  /** The shards, and each partition's manifest kept after the shards its committers commit. */
  public void attach(DataStream<SelectedDocument> selected) {
    selected.sinkTo(scoped(true)).uid("dataset-sink").name("dataset");
  }

  /**
   * The shards only, for a bounded job: its files are finished when its input ends, and {@link
   * #writeManifests} lists them once it has.
   */
  public void attachBounded(DataStream<SelectedDocument> selected) {
    selected.sinkTo(scoped(false)).uid("dataset-sink").name("dataset");
  }

  /**
   * Adds the finished shards of {@code partitions} to their manifests, as of {@code checkpoint}.
   */
  public void writeManifests(Collection<String> partitions, long checkpoint) throws Exception {
    for (String partition : partitions) {
      DatasetManifest.update(new PartitionFiles(new Path(uri, partition)), checkpoint);
    }
  }

  /** The file sink, its calls under the filesystem's own classloader ({@link FileSystemLoader}). */
  FileSystemLoaderSink<SelectedDocument> scoped(boolean manifests) {
    return new FileSystemLoaderSink<>(build(), uri, manifests);
  }

  private FileSink<SelectedDocument> build() {
    return FileSink.forBulkFormat(new Path(uri), new ParquetShards(rowGroupBytes))
        .withBucketAssigner(new DatasetBuckets(partitioning))
        .withRollingPolicy(new ShardRolling(maxShardBytes, maxShardAge))
        .withOutputFileConfig(
            OutputFileConfig.builder().withPartPrefix("part").withPartSuffix(".parquet").build())
        .build();
  }

  /** The Parquet dataset sink, if {@code dataset.path} is set; a path that is no URI is refused. */
  public static Optional<DatasetSink> configured(JobConfig config) {
    String path = config.get(ConfigKeys.DATASET_PATH).trim();
    if (path.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(at(config, path));
  }

  /** A Parquet dataset sink at {@code path}, with the config's shard settings. */
  public static DatasetSink at(JobConfig config, String path) {
    URI uri;
    try {
      uri = new URI(path);
    } catch (URISyntaxException e) {
      throw new UserInputException("dataset.path '" + path + "' is not a URI: " + e.getMessage());
    }
    if (uri.getScheme() == null) {
      throw new UserInputException(
          "dataset.path '"
              + path
              + "' needs a scheme: file:///absolute/path or s3://bucket/prefix");
    }
    if (uri.getScheme().equals("s3p")) {
      throw new UserInputException(
          "dataset.path '"
              + path
              + "': s3p:// is Flink's Presto S3 filesystem, which cannot write files exactly once;"
              + " use s3a:// (or s3://) with the flink-s3-fs-hadoop plugin");
    }
    return new DatasetSink(
        path,
        config.get(ConfigKeys.DATASET_MAX_SHARD_MB) * 1024L * 1024L,
        config.get(ConfigKeys.DATASET_MAX_SHARD_AGE),
        config.get(ConfigKeys.DATASET_ROW_GROUP_MB) * 1024L * 1024L,
        PartitionPath.parse(
            config.get(ConfigKeys.DATASET_PARTITIONING), ConfigKeys.DATASET_PARTITIONING.name()));
  }
}
