package io.nagselector.dataset;

import java.io.IOException;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ScheduledFuture;
import java.util.function.Consumer;
import org.apache.flink.api.common.JobInfo;
import org.apache.flink.api.common.SupportsConcurrentExecutionAttempts;
import org.apache.flink.api.common.TaskInfo;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.operators.MailboxExecutor;
import org.apache.flink.api.common.operators.ProcessingTimeService;
import org.apache.flink.api.common.serialization.SerializationSchema;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.connector.sink2.Committer;
import org.apache.flink.api.connector.sink2.CommitterInitContext;
import org.apache.flink.api.connector.sink2.CommittingSinkWriter;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.StatefulSinkWriter;
import org.apache.flink.api.connector.sink2.SupportsCommitter;
import org.apache.flink.api.connector.sink2.SupportsWriterState;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.connector.file.sink.FileSink;
import org.apache.flink.connector.file.sink.FileSinkCommittable;
import org.apache.flink.connector.file.sink.writer.FileWriter;
import org.apache.flink.connector.file.sink.writer.FileWriterBucketState;
import org.apache.flink.core.fs.Path;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.metrics.groups.SinkWriterMetricGroup;
import org.apache.flink.streaming.api.connector.sink2.CommittableMessage;
import org.apache.flink.streaming.api.connector.sink2.SupportsPostCommitTopology;
import org.apache.flink.streaming.api.connector.sink2.SupportsPreCommitTopology;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.flink.util.TemporaryClassLoaderContext;
import org.apache.flink.util.UserCodeClassLoader;

/**
 * A {@link FileSink} whose every call (its writer's, its writer's timers', its committer's) runs
 * with the filesystem's own classloader as the context classloader ({@link FileSystemLoader}): the
 * S3 writer's upload pool, cached with the filesystem for the whole TaskManager, starts its threads
 * from these calls. Its state, committables and topology are the file sink's own, and after its
 * committers, with {@code manifests}, the {@link DatasetManifest} of what they committed.
 */
final class FileSystemLoaderSink<IN>
    implements Sink<IN>,
        SupportsWriterState<IN, FileWriterBucketState>,
        SupportsWriterState.WithCompatibleState,
        SupportsCommitter<FileSinkCommittable>,
        SupportsPreCommitTopology<FileSinkCommittable, FileSinkCommittable>,
        SupportsPostCommitTopology<FileSinkCommittable>,
        SupportsConcurrentExecutionAttempts {
  private static final long serialVersionUID = 1L;

  private final FileSink<IN> sink;
  private final String uri;
  private final boolean manifests;

  FileSystemLoaderSink(FileSink<IN> sink, String uri, boolean manifests) {
    this.sink = sink;
    this.uri = uri;
    this.manifests = manifests;
  }

  @Override
  public Writer<IN> createWriter(WriterInitContext context) throws IOException {
    ClassLoader loader = FileSystemLoader.of(new Path(uri));
    try (var scope = TemporaryClassLoaderContext.of(loader)) {
      return new Writer<>(sink.createWriter(new Context(context, loader)), loader);
    }
  }

  @Override
  public Writer<IN> restoreWriter(
      WriterInitContext context, Collection<FileWriterBucketState> recoveredState)
      throws IOException {
    ClassLoader loader = FileSystemLoader.of(new Path(uri));
    try (var scope = TemporaryClassLoaderContext.of(loader)) {
      return new Writer<>(sink.restoreWriter(new Context(context, loader), recoveredState), loader);
    }
  }

  @Override
  public SimpleVersionedSerializer<FileWriterBucketState> getWriterStateSerializer() {
    return sink.getWriterStateSerializer();
  }

  @Override
  public Collection<String> getCompatibleWriterStateNames() {
    return sink.getCompatibleWriterStateNames();
  }

  @Override
  public Committer<FileSinkCommittable> createCommitter(CommitterInitContext context)
      throws IOException {
    ClassLoader loader = FileSystemLoader.of(new Path(uri));
    try (var scope = TemporaryClassLoaderContext.of(loader)) {
      return new LoaderCommitter(sink.createCommitter(context), loader);
    }
  }

  @Override
  public SimpleVersionedSerializer<FileSinkCommittable> getCommittableSerializer() {
    return sink.getCommittableSerializer();
  }

  @Override
  public DataStream<CommittableMessage<FileSinkCommittable>> addPreCommitTopology(
      DataStream<CommittableMessage<FileSinkCommittable>> committables) {
    return sink.addPreCommitTopology(committables);
  }

  @Override
  public void addPostCommitTopology(DataStream<CommittableMessage<FileSinkCommittable>> committed) {
    if (!manifests) {
      return;
    }
    committed
        .global()
        .process(new DatasetManifest(uri))
        .returns(Types.VOID)
        .uid("dataset-manifest")
        .name("dataset manifest")
        .setParallelism(1)
        .sinkTo(new DiscardingSink<>())
        .uid("dataset-manifest-end")
        .name("dataset manifest end")
        .setParallelism(1);
  }

  @Override
  public SimpleVersionedSerializer<FileSinkCommittable> getWriteResultSerializer() {
    return sink.getWriteResultSerializer();
  }

  /** The file sink's writer, each call under the filesystem's classloader. */
  static final class Writer<IN>
      implements StatefulSinkWriter<IN, FileWriterBucketState>,
          CommittingSinkWriter<IN, FileSinkCommittable> {
    private final FileWriter<IN> writer;
    private final ClassLoader loader;

    Writer(FileWriter<IN> writer, ClassLoader loader) {
      this.writer = writer;
      this.loader = loader;
    }

    @Override
    public void write(IN element, Context context) throws IOException, InterruptedException {
      try (var scope = TemporaryClassLoaderContext.of(loader)) {
        writer.write(element, context);
      }
    }

    @Override
    public void flush(boolean endOfInput) throws IOException, InterruptedException {
      try (var scope = TemporaryClassLoaderContext.of(loader)) {
        writer.flush(endOfInput);
      }
    }

    @Override
    public void writeWatermark(Watermark watermark) throws IOException, InterruptedException {
      try (var scope = TemporaryClassLoaderContext.of(loader)) {
        writer.writeWatermark(watermark);
      }
    }

    @Override
    public List<FileWriterBucketState> snapshotState(long checkpointId) throws IOException {
      try (var scope = TemporaryClassLoaderContext.of(loader)) {
        return writer.snapshotState(checkpointId);
      }
    }

    @Override
    public Collection<FileSinkCommittable> prepareCommit()
        throws IOException, InterruptedException {
      try (var scope = TemporaryClassLoaderContext.of(loader)) {
        return writer.prepareCommit();
      }
    }

    @Override
    public void close() throws Exception {
      try (var scope = TemporaryClassLoaderContext.of(loader)) {
        writer.close();
      }
    }
  }

  /** The file sink's committer, each call under the filesystem's classloader. */
  private record LoaderCommitter(Committer<FileSinkCommittable> committer, ClassLoader loader)
      implements Committer<FileSinkCommittable> {
    @Override
    public void commit(Collection<CommitRequest<FileSinkCommittable>> requests)
        throws IOException, InterruptedException {
      try (var scope = TemporaryClassLoaderContext.of(loader)) {
        committer.commit(requests);
      }
    }

    @Override
    public void close() throws Exception {
      try (var scope = TemporaryClassLoaderContext.of(loader)) {
        committer.close();
      }
    }
  }

  /** The writer's context, with timers whose callbacks run under the filesystem's classloader. */
  private record Context(WriterInitContext context, ClassLoader loader)
      implements WriterInitContext {
    @Override
    public ProcessingTimeService getProcessingTimeService() {
      ProcessingTimeService timers = context.getProcessingTimeService();
      return new ProcessingTimeService() {
        @Override
        public long getCurrentProcessingTime() {
          return timers.getCurrentProcessingTime();
        }

        @Override
        public ScheduledFuture<?> registerTimer(long time, ProcessingTimeCallback callback) {
          return timers.registerTimer(
              time,
              now -> {
                try (var scope = TemporaryClassLoaderContext.of(loader)) {
                  callback.onProcessingTime(now);
                }
              });
        }
      };
    }

    @Override
    public UserCodeClassLoader getUserCodeClassLoader() {
      return context.getUserCodeClassLoader();
    }

    @Override
    public MailboxExecutor getMailboxExecutor() {
      return context.getMailboxExecutor();
    }

    @Override
    public SinkWriterMetricGroup metricGroup() {
      return context.metricGroup();
    }

    @Override
    public SerializationSchema.InitializationContext asSerializationSchemaInitializationContext() {
      return context.asSerializationSchemaInitializationContext();
    }

    @Override
    public boolean isObjectReuseEnabled() {
      return context.isObjectReuseEnabled();
    }

    @Override
    public <T> TypeSerializer<T> createInputSerializer() {
      return context.createInputSerializer();
    }

    @Override
    public <M> Optional<Consumer<M>> metadataConsumer() {
      return context.metadataConsumer();
    }

    @Override
    public OptionalLong getRestoredCheckpointId() {
      return context.getRestoredCheckpointId();
    }

    @Override
    public JobInfo getJobInfo() {
      return context.getJobInfo();
    }

    @Override
    public TaskInfo getTaskInfo() {
      return context.getTaskInfo();
    }
  }
}
