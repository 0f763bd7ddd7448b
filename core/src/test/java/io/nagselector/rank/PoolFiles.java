package io.nagselector.rank;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.nagselector.io.BadRows;
import io.nagselector.io.RowFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.avro.AvroParquetWriter;
import org.apache.parquet.avro.AvroSchemaConverter;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.io.LocalInputFile;
import org.apache.parquet.io.LocalOutputFile;

/** Test fixtures: pool and target files in the reference's formats, written by hand. */
public final class PoolFiles {
  public static final ObjectMapper JSON = new ObjectMapper();

  private PoolFiles() {}

  /** A payload row {docid, doc, token_num, dataset}; a null token count is left out. */
  public static Map<String, Object> payload(Object docid, Long tokens, String dataset) {
    Map<String, Object> row = new LinkedHashMap<>();
    row.put("docid", docid);
    row.put("doc", "text of " + docid);
    if (tokens != null) {
      row.put("token_num", tokens);
    }
    row.put("dataset", dataset);
    return row;
  }

  static String featureLine(Object docid, int... indices) throws IOException {
    Map<String, Object> row = new LinkedHashMap<>();
    row.put("docid", docid);
    row.put("fwd_up_feature", Map.of("layer_topk_value_index", indices));
    return JSON.writeValueAsString(row);
  }

  static Path writeLines(Path file, List<String> lines) throws IOException {
    Files.write(file, lines);
    return file;
  }

  public static Path writeJsonl(Path file, List<Map<String, Object>> rows) throws IOException {
    List<String> lines = new ArrayList<>();
    for (Map<String, Object> row : rows) {
      lines.add(JSON.writeValueAsString(row));
    }
    return writeLines(file, lines);
  }

  /** A payload Parquet file laid out as pandas.to_parquet writes it, index column included. */
  public static Path writePandasParquet(Path file, List<Map<String, Object>> rows)
      throws IOException {
    Schema schema =
        SchemaBuilder.record("schema")
            .fields()
            .optionalString("docid")
            .optionalString("doc")
            .optionalLong("token_num")
            .optionalString("dataset")
            .optionalLong("__index_level_0__")
            .endRecord();
    try (ParquetWriter<GenericRecord> writer =
        parquetWriter(file, schema)
            .withExtraMetaData(
                Map.of("pandas", "{\"index_columns\": [\"__index_level_0__\"], \"columns\": []}"))
            .build()) {
      long index = 0;
      for (Map<String, Object> row : rows) {
        GenericRecord record = new GenericData.Record(schema);
        record.put("docid", row.get("docid"));
        record.put("doc", row.get("doc"));
        record.put("token_num", row.get("token_num"));
        record.put("dataset", row.get("dataset"));
        record.put("__index_level_0__", index++);
        writer.write(record);
      }
    }
    return file;
  }

  /** A feature Parquet file: docid + struct {layer_topk_value_index: list<long>}. */
  static Path writeFeatureParquet(Path file, List<String> ids, List<int[]> features)
      throws IOException {
    Schema feature =
        SchemaBuilder.record("fwd_up_feature")
            .fields()
            .name("layer_topk_value_index")
            .type()
            .array()
            .items()
            .longType()
            .noDefault()
            .endRecord();
    Schema schema =
        SchemaBuilder.record("schema")
            .fields()
            .requiredString("docid")
            .name("fwd_up_feature")
            .type(feature)
            .noDefault()
            .endRecord();
    try (ParquetWriter<GenericRecord> writer = parquetWriter(file, schema).build()) {
      for (int i = 0; i < ids.size(); i++) {
        GenericRecord f = new GenericData.Record(feature);
        List<Long> values = new ArrayList<>();
        for (int v : features.get(i)) {
          values.add((long) v);
        }
        f.put("layer_topk_value_index", values);
        GenericRecord record = new GenericData.Record(schema);
        record.put("docid", ids.get(i));
        record.put("fwd_up_feature", f);
        writer.write(record);
      }
    }
    return file;
  }

  /** A writer with pyarrow's three-level lists. */
  private static AvroParquetWriter.Builder<GenericRecord> parquetWriter(Path file, Schema schema) {
    Configuration conf = new Configuration(false);
    conf.setBoolean("parquet.avro.write-old-list-structure", false);
    return AvroParquetWriter.<GenericRecord>builder(new LocalOutputFile(file))
        .withSchema(schema)
        .withConf(conf)
        .withWriteMode(ParquetFileWriter.Mode.OVERWRITE);
  }

  public static List<Map<String, Object>> readRows(Path file) {
    List<Map<String, Object>> rows = new ArrayList<>();
    RowFiles.read(List.of(file), (row, where) -> rows.add(row), BadRows.failing(), n -> {});
    return rows;
  }

  static Schema parquetSchema(Path file) throws IOException {
    try (var reader = ParquetFileReader.open(new LocalInputFile(file))) {
      return new AvroSchemaConverter().convert(reader.getFooter().getFileMetaData().getSchema());
    }
  }
}
