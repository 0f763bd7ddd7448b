package io.nagselector.avro;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.avro.AvroTypeException;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.Incompatibility;
import org.junit.jupiter.api.Test;

/**
 * The schemas in {@code avro/} are contracts: each stays backward compatible (a reader with the
 * schema of this build reads what the last released build wrote) with its copy in {@code
 * avro/released/VERSION/}, checked by Avro's own {@link SchemaCompatibility}. On a release, copy
 * {@code avro/*.avsc} to {@code avro/released/NEW-VERSION/}.
 */
class SchemaCompatibilityTest {
  private static final Path CURRENT = Path.of("avro");
  private static final Path RELEASED = CURRENT.resolve("released");

  /** What a reader of {@code reader} cannot read of what {@code writer} wrote. */
  static List<String> incompatibilities(Schema reader, Schema writer) {
    List<String> out = new ArrayList<>();
    for (Incompatibility i :
        SchemaCompatibility.checkReaderWriterCompatibility(reader, writer)
            .getResult()
            .getIncompatibilities()) {
      out.add(i.getType() + " at " + i.getLocation() + ": " + i.getMessage());
    }
    return out;
  }

  private static Schema parse(Path file) throws IOException {
    return schemas(file.getParent()).get(file.getFileName().toString());
  }

  /** The schemas of a directory by file name; one may name a type another defines. */
  static Map<String, Schema> schemas(Path dir) throws IOException {
    List<Path> left;
    try (Stream<Path> files = Files.list(dir)) {
      left = new ArrayList<>(files.filter(f -> f.toString().endsWith(".avsc")).sorted().toList());
    }
    Map<String, Schema> parsed = new TreeMap<>();
    boolean progress = true;
    while (!left.isEmpty() && progress) {
      progress = false;
      for (Path f : List.copyOf(left)) {
        Schema.Parser parser = new Schema.Parser();
        parser.addTypes(parsed.values());
        try {
          parsed.put(f.getFileName().toString(), parser.parse(f.toFile()));
          left.remove(f);
          progress = true;
        } catch (AvroTypeException e) {
          // names a type of a file not parsed yet
        }
      }
    }
    assertThat(left).as("schemas whose types are defined nowhere in " + dir).isEmpty();
    return parsed;
  }

  private static Path lastRelease() throws IOException {
    try (Stream<Path> versions = Files.list(RELEASED)) {
      return versions
          .filter(Files::isDirectory)
          .max(Comparator.comparing(p -> Version.of(p.getFileName().toString())))
          .orElseThrow();
    }
  }

  /** A release version, compared numerically part by part. */
  private record Version(int[] parts) implements Comparable<Version> {
    static Version of(String s) {
      return new Version(Stream.of(s.split("\\.")).mapToInt(Integer::parseInt).toArray());
    }

    @Override
    public int compareTo(Version o) {
      for (int i = 0; i < Math.max(parts.length, o.parts.length); i++) {
        int a = i < parts.length ? parts[i] : 0;
        int b = i < o.parts.length ? o.parts[i] : 0;
        if (a != b) {
          return Integer.compare(a, b);
        }
      }
      return 0;
    }
  }

  @Test
  void everySchemaReadsWhatTheLastReleaseWrote() throws IOException {
    Path release = lastRelease();
    List<Path> released;
    try (Stream<Path> files = Files.list(release)) {
      released = files.filter(f -> f.toString().endsWith(".avsc")).sorted().toList();
    }
    assertThat(released).as("schemas released in " + release).isNotEmpty();
    for (Path old : released) {
      Path now = CURRENT.resolve(old.getFileName());
      assertThat(now).as("a released schema is never removed: " + old.getFileName()).exists();
      assertThat(incompatibilities(parse(now), parse(old)))
          .as("%s reading what %s wrote", now, old)
          .isEmpty();
    }
  }

  @Test
  void theCheckRefusesAFieldWithoutADefaultAndARemovedEnumSymbol() throws IOException {
    Schema released = parse(CURRENT.resolve("ControlEvent.avsc"));
    String text = Files.readString(CURRENT.resolve("ControlEvent.avsc"));
    Schema newField =
        new Schema.Parser()
            .parse(
                text.replace(
                    "{\"name\": \"command_id\", \"type\": \"string\"},",
                    "{\"name\": \"command_id\", \"type\": \"string\"}, {\"name\": \"shard\","
                        + " \"type\": \"int\"},"));
    assertThat(incompatibilities(newField, released))
        .singleElement()
        .asString()
        .startsWith("READER_FIELD_MISSING_DEFAULT")
        .contains("shard");
    Schema fewerSymbols =
        new Schema.Parser()
            .parse(
                text.replace(
                    "\"symbols\": [\"UNKNOWN\", \"APPLIED\", \"REJECTED\"], \"default\": \"UNKNOWN\"",
                    "\"symbols\": [\"APPLIED\", \"REJECTED\"]"));
    assertThat(incompatibilities(fewerSymbols, released))
        .singleElement()
        .asString()
        .startsWith("MISSING_ENUM_SYMBOLS");
    assertThat(incompatibilities(released, released)).isEmpty();
  }
}
