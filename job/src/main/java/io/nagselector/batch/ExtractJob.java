package io.nagselector.batch;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.nagselector.io.BadRows;
import io.nagselector.io.DocIdValue;
import io.nagselector.io.DottedPath;
import io.nagselector.io.FeatureFiles;
import io.nagselector.io.InputPaths;
import io.nagselector.io.Json;
import io.nagselector.io.RowFiles;
import io.nagselector.io.UserInputException;
import io.nagselector.model.ExtractionResult;
import io.nagselector.model.Extractor;
import io.nagselector.model.ModelFingerprint;
import io.nagselector.model.NeuronType;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongConsumer;

/**
 * {@code extract} over files: one feature JSONL per input file in the reference's format, written
 * atomically; documents that fail go to {@code <name>.errors.jsonl}; finished files are skipped
 * unless overwriting. {@code _meta.json} records the model fingerprint.
 */
public final class ExtractJob {
  /** Counts over a run. */
  public record Summary(int filesDone, int filesSkipped, long docs, long failed, long tokens) {}

  private static final int CHUNK = 256;
  private final Extractor extractor;
  private final ModelFingerprint fingerprint;
  private final String idPath;
  private final String textPath;
  private final LongConsumer progress;

  public ExtractJob(
      Extractor extractor,
      ModelFingerprint fingerprint,
      String idPath,
      String textPath,
      LongConsumer progress) {
    this.extractor = extractor;
    this.fingerprint = fingerprint;
    this.idPath = idPath;
    this.textPath = textPath;
    this.progress = progress;
  }

  public Summary run(String input, Path outputDir, boolean overwrite) throws IOException {
    List<Path> files = InputPaths.expand(input, "--input");
    Files.createDirectories(outputDir);
    writeMeta(outputDir.resolve("_meta.json"));
    int done = 0;
    int skipped = 0;
    long[] counts = new long[3];
    for (Path file : files) {
      String base = file.getFileName().toString().replaceFirst("\\.(jsonl|json|parquet)$", "");
      Path out = outputDir.resolve(base + ".jsonl");
      if (Files.exists(out) && !overwrite) {
        skipped++;
        continue;
      }
      extractFile(file, out, outputDir.resolve(base + ".errors.jsonl"), counts);
      done++;
    }
    return new Summary(done, skipped, counts[0], counts[1], counts[2]);
  }

  private void writeMeta(Path meta) throws IOException {
    ObjectNode node = Json.MAPPER.createObjectNode();
    node.put("fingerprint", fingerprint.id());
    node.put("family", fingerprint.family());
    node.put("config_hash", fingerprint.configHash());
    node.put("tokenizer_hash", fingerprint.tokenizerHash());
    node.put("top_k", fingerprint.topK());
    node.putPOJO("neuron_types", fingerprint.neuronTypes().stream().map(NeuronType::key).toList());
    node.put("layers", fingerprint.layers());
    node.put("max_length", fingerprint.maxLength());
    Path partial = meta.resolveSibling(meta.getFileName() + ".partial");
    Json.MAPPER.writerWithDefaultPrettyPrinter().writeValue(partial.toFile(), node);
    Files.move(partial, meta, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  private void extractFile(Path file, Path out, Path errors, long[] counts) throws IOException {
    Path partial = out.resolveSibling(out.getFileName() + ".partial");
    Path errorsPartial = errors.resolveSibling(errors.getFileName() + ".partial");
    long failedBefore = counts[1];
    try (BufferedWriter features = Files.newBufferedWriter(partial, StandardCharsets.UTF_8);
        BufferedWriter failures = Files.newBufferedWriter(errorsPartial, StandardCharsets.UTF_8)) {
      List<Extractor.Doc> chunk = new ArrayList<>();
      List<Object> ids = new ArrayList<>();
      RowFiles.read(
          List.of(file),
          (row, where) -> {
            Object id = DottedPath.get(row, idPath);
            Object text = DottedPath.get(row, textPath);
            if (DocIdValue.of(id) == null) {
              writeFailure(
                  failures,
                  id == null ? null : id.toString(),
                  "MISSING_DOC_ID",
                  where + ": no usable '" + idPath + "'",
                  counts);
              return;
            }
            chunk.add(new Extractor.Doc(id.toString(), text instanceof String s ? s : null));
            ids.add(id);
            if (chunk.size() == CHUNK) {
              flush(chunk, ids, features, failures, counts);
            }
          },
          BadRows.failing(),
          n -> {});
      flush(chunk, ids, features, failures, counts);
    } catch (UncheckedIOException e) {
      Files.deleteIfExists(partial);
      Files.deleteIfExists(errorsPartial);
      throw new UserInputException("cannot write " + out + ": " + e.getCause().getMessage(), e);
    }
    if (counts[1] > failedBefore) {
      Files.move(
          errorsPartial,
          errors,
          StandardCopyOption.REPLACE_EXISTING,
          StandardCopyOption.ATOMIC_MOVE);
    } else {
      Files.delete(errorsPartial);
      Files.deleteIfExists(errors);
    }
    Files.move(partial, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  private void flush(
      List<Extractor.Doc> chunk,
      List<Object> ids,
      BufferedWriter features,
      BufferedWriter failures,
      long[] counts) {
    if (chunk.isEmpty()) {
      return;
    }
    List<ExtractionResult> results = extractor.extract(chunk);
    try {
      for (int i = 0; i < results.size(); i++) {
        ExtractionResult r = results.get(i);
        if (r instanceof ExtractionResult.Features f) {
          Map<String, Object> row = new LinkedHashMap<>();
          row.put("docid", ids.get(i));
          f.features()
              .forEach(
                  (type, indices) ->
                      row.put(type.column(), Map.of(FeatureFiles.INDEX_FIELD, indices)));
          features.write(Json.MAPPER.writeValueAsString(row));
          features.newLine();
          counts[2] += f.tokens();
        } else if (r instanceof ExtractionResult.Failure failure) {
          writeFailure(
              failures, failure.docId(), failure.reason().name(), failure.message(), counts);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    counts[0] += chunk.size();
    progress.accept(chunk.size());
    chunk.clear();
    ids.clear();
  }

  private static void writeFailure(
      BufferedWriter failures, String docId, String reason, String message, long[] counts) {
    Map<String, Object> row = new LinkedHashMap<>();
    row.put("docid", docId);
    row.put("reason", reason);
    row.put("message", message);
    try {
      failures.write(Json.MAPPER.writeValueAsString(row));
      failures.newLine();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    counts[1]++;
  }
}
