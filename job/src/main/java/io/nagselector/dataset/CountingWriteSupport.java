package io.nagselector.dataset;

import io.nagselector.avro.SelectedDocument;
import java.util.HashMap;
import java.util.Map;
import org.apache.avro.specific.SpecificData;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.avro.AvroSchemaConverter;
import org.apache.parquet.avro.AvroWriteSupport;

/**
 * Avro's write support, which also counts the shard's rows' tokens and leaves the sum in the footer
 * ({@link #TOKENS}), so the manifest reads it without reading the rows.
 */
final class CountingWriteSupport extends AvroWriteSupport<SelectedDocument> {
  static final String TOKENS = "nag.tokens";

  private long tokens;

  CountingWriteSupport(Configuration conf) {
    super(
        new AvroSchemaConverter(conf).convert(SelectedDocument.getClassSchema()),
        SelectedDocument.getClassSchema(),
        SpecificData.getForClass(SelectedDocument.class));
  }

  @Override
  public void write(SelectedDocument record) {
    tokens += record.getTokens();
    super.write(record);
  }

  @Override
  public FinalizedWriteContext finalizeWrite() {
    Map<String, String> extra = new HashMap<>(super.finalizeWrite().getExtraMetaData());
    extra.put(TOKENS, Long.toString(tokens));
    return new FinalizedWriteContext(extra);
  }
}
