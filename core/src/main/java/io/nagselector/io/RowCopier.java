package io.nagselector.io;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.function.LongConsumer;
import java.util.function.Supplier;

/**
 * Streams rows from input files through a transform into one output file. For Parquet output the
 * rows are read twice: once to infer the schema, once to write.
 */
public final class RowCopier {
  /** Returns the row to write, or null to leave it out. A fresh one is made for each pass. */
  @FunctionalInterface
  public interface Transform {
    Map<String, Object> apply(Map<String, Object> row, Location where, BadRows bad);
  }

  private RowCopier() {}

  public static long copy(
      List<Path> inputs,
      Path output,
      Supplier<Transform> transforms,
      BadRows bad,
      LongConsumer progress)
      throws IOException {
    Path target = output.toAbsolutePath();
    Path partial = target.resolveSibling(target.getFileName() + ".partial");
    RowSchema schema = new RowSchema();
    BadRows writePassBad = bad;
    if (DataFormat.of(output) == DataFormat.PARQUET) {
      Transform transform = transforms.get();
      RowFiles.read(
          inputs,
          (row, where) -> {
            Map<String, Object> out = transform.apply(row, where, bad);
            if (out != null) {
              schema.observe(out);
            }
          },
          bad,
          progress);
      writePassBad = BadRows.ignoring();
    }
    long[] written = new long[1];
    BadRows finalBad = writePassBad;
    Transform transform = transforms.get();
    try (RowWriter writer = RowWriter.open(partial, DataFormat.of(output), schema.toAvro())) {
      RowFiles.read(
          inputs,
          (row, where) -> {
            Map<String, Object> out = transform.apply(row, where, finalBad);
            if (out != null) {
              try {
                writer.write(out);
              } catch (IOException e) {
                throw new UncheckedIOException(e);
              }
              written[0]++;
            }
          },
          finalBad,
          finalBad == bad ? progress : n -> {});
    } catch (UncheckedIOException e) {
      Files.deleteIfExists(partial);
      throw new UserInputException("cannot write " + output + ": " + e.getCause().getMessage(), e);
    } catch (IOException | RuntimeException e) {
      Files.deleteIfExists(partial);
      throw e;
    }
    Files.move(
        partial, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    return written[0];
  }
}
