package io.nagselector.dataset;

import io.nagselector.avro.SelectedDocument;
import java.io.IOException;
import org.apache.flink.api.common.serialization.BulkWriter;
import org.apache.flink.core.fs.FSDataOutputStream;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.api.WriteSupport;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.OutputFile;

/**
 * Writes selected documents as Snappy Parquet with the {@link SelectedDocument} schema's columns
 * (and their tokens' sum in the footer), in row groups of {@code rowGroupBytes} (small enough for a
 * streaming reader to start early).
 */
final class ParquetShards implements BulkWriter.Factory<SelectedDocument> {
  private static final long serialVersionUID = 1L;

  private final long rowGroupBytes;

  ParquetShards(long rowGroupBytes) {
    this.rowGroupBytes = rowGroupBytes;
  }

  private static final class Builder extends ParquetWriter.Builder<SelectedDocument, Builder> {
    Builder(OutputFile file) {
      super(file);
    }

    @Override
    protected Builder self() {
      return this;
    }

    @Override
    protected WriteSupport<SelectedDocument> getWriteSupport(Configuration conf) {
      return new CountingWriteSupport(conf);
    }
  }

  @Override
  public BulkWriter<SelectedDocument> create(FSDataOutputStream out) throws IOException {
    Configuration conf = new Configuration(false);
    // the job's classes, whatever the context classloader (FileSystemLoaderSink sets it)
    conf.setClassLoader(ParquetShards.class.getClassLoader());
    conf.setBoolean("parquet.avro.write-old-list-structure", false);
    ParquetWriter<SelectedDocument> writer =
        new Builder(new StreamOutputFile(out))
            .withConf(conf)
            .withCompressionCodec(CompressionCodecName.SNAPPY)
            .withRowGroupSize(rowGroupBytes)
            .build();
    return new BulkWriter<>() {
      @Override
      public void addElement(SelectedDocument element) throws IOException {
        writer.write(element);
      }

      @Override
      public void flush() {
        // a row group is written whole, when full or at finish
      }

      @Override
      public void finish() throws IOException {
        writer.close();
      }
    };
  }
}
