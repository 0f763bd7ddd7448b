package io.nagselector.io;

import com.fasterxml.jackson.core.JsonGenerator;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.avro.AvroParquetWriter;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.LocalOutputFile;

/**
 * Writes plain rows as JSON lines or as a Snappy Parquet file (three-level lists, as pyarrow writes
 * them), chosen by the output's extension. Parquet needs the schema up front.
 */
public abstract class RowWriter implements AutoCloseable {
  public abstract void write(Map<String, Object> row) throws IOException;

  @Override
  public abstract void close() throws IOException;

  /** Opens {@code path}; {@code schema} is required for Parquet and ignored for JSONL. */
  public static RowWriter open(Path path, DataFormat format, Schema schema) throws IOException {
    Path parent = path.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    return switch (format) {
      case JSONL -> new Jsonl(path);
      case PARQUET -> new Parquet(path, schema);
    };
  }

  private static final class Jsonl extends RowWriter {
    private final OutputStream out;
    private final JsonGenerator json;

    Jsonl(Path path) throws IOException {
      out = new BufferedOutputStream(Files.newOutputStream(path), 1 << 16);
      json = Json.FACTORY.createGenerator(out);
      json.setRootValueSeparator(null);
      json.setCodec(Json.MAPPER);
    }

    @Override
    public void write(Map<String, Object> row) throws IOException {
      json.writeObject(row);
      json.writeRaw('\n');
    }

    @Override
    public void close() throws IOException {
      json.close();
      out.close();
    }
  }

  private static final class Parquet extends RowWriter {
    private final Schema schema;
    private final ParquetWriter<GenericRecord> writer;

    Parquet(Path path, Schema schema) throws IOException {
      this.schema = schema;
      Configuration conf = new Configuration(false);
      conf.setBoolean("parquet.avro.write-old-list-structure", false);
      writer =
          AvroParquetWriter.<GenericRecord>builder(new LocalOutputFile(path))
              .withSchema(schema)
              .withConf(conf)
              .withCompressionCodec(CompressionCodecName.SNAPPY)
              .withWriteMode(ParquetFileWriter.Mode.OVERWRITE)
              .build();
    }

    @Override
    public void write(Map<String, Object> row) throws IOException {
      writer.write((GenericRecord) AvroValues.fromPlain(row, schema));
    }

    @Override
    public void close() throws IOException {
      writer.close();
    }
  }
}
