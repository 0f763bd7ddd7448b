package io.nagselector.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Tensors of a Hugging Face checkpoint directory: {@code model.safetensors}, or shards listed in
 * {@code model.safetensors.index.json}. F32, BF16 and F16 are converted to float32 on read.
 */
public final class Safetensors implements TensorSource {
  private record Entry(Path file, String dtype, long[] shape, long begin, long end) {}

  private static final ObjectMapper JSON = new ObjectMapper();
  private final Path dir;
  private final Map<String, Entry> entries = new HashMap<>();

  private Safetensors(Path dir) {
    this.dir = dir;
  }

  public static Safetensors open(Path dir) {
    Safetensors s = new Safetensors(dir);
    Path single = dir.resolve("model.safetensors");
    Path index = dir.resolve("model.safetensors.index.json");
    try {
      if (Files.exists(single)) {
        s.readHeader(single);
      } else if (Files.exists(index)) {
        JsonNode map = JSON.readTree(index.toFile()).path("weight_map");
        Set<String> shards = new TreeSet<>();
        map.fields().forEachRemaining(e -> shards.add(e.getValue().asText()));
        for (String shard : shards) {
          s.readHeader(dir.resolve(shard));
        }
      } else {
        throw new ModelException(
            dir + ": no model.safetensors or model.safetensors.index.json in the checkpoint");
      }
    } catch (IOException e) {
      throw new ModelException(dir + ": cannot read the checkpoint: " + e.getMessage(), e);
    }
    return s;
  }

  private void readHeader(Path file) throws IOException {
    if (!Files.exists(file)) {
      throw new ModelException(file + ": shard listed in the index is missing");
    }
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
      ch.read(len, 0);
      long headerLength = len.flip().getLong();
      if (headerLength <= 0 || headerLength > 100_000_000 || headerLength + 8 > ch.size()) {
        throw new ModelException(
            file + ": not a safetensors file (header length " + headerLength + ")");
      }
      ByteBuffer header = ByteBuffer.allocate((int) headerLength);
      ch.read(header, 8);
      JsonNode root = JSON.readTree(new String(header.array(), StandardCharsets.UTF_8));
      long dataStart = 8 + headerLength;
      Iterator<Map.Entry<String, JsonNode>> it = root.fields();
      while (it.hasNext()) {
        Map.Entry<String, JsonNode> e = it.next();
        if (e.getKey().equals("__metadata__")) {
          continue;
        }
        JsonNode t = e.getValue();
        long[] shape = new long[t.path("shape").size()];
        for (int i = 0; i < shape.length; i++) {
          shape[i] = t.path("shape").get(i).asLong();
        }
        JsonNode offsets = t.path("data_offsets");
        entries.put(
            e.getKey(),
            new Entry(
                file,
                t.path("dtype").asText(),
                shape,
                dataStart + offsets.get(0).asLong(),
                dataStart + offsets.get(1).asLong()));
      }
    }
  }

  @Override
  public boolean has(String name) {
    return entries.containsKey(name);
  }

  @Override
  public String origin() {
    return dir.toString();
  }

  @Override
  public float[] read(String name, long... shape) {
    Entry e = entries.get(name);
    if (e == null) {
      throw new ModelException(
          dir + ": tensor " + name + " is missing (expected shape " + Arrays.toString(shape) + ")");
    }
    checkShape(name, e.shape(), shape);
    long count = 1;
    for (long d : shape) {
      count *= d;
    }
    int width =
        switch (e.dtype()) {
          case "F32" -> 4;
          case "BF16", "F16" -> 2;
          default ->
              throw new ModelException(
                  e.file()
                      + ": tensor "
                      + name
                      + " has dtype "
                      + e.dtype()
                      + "; supported: F32, BF16, F16");
        };
    if (e.end() - e.begin() != count * width) {
      throw new ModelException(e.file() + ": tensor " + name + " has the wrong byte size");
    }
    float[] out = new float[(int) count];
    try (FileChannel ch = FileChannel.open(e.file(), StandardOpenOption.READ)) {
      ByteBuffer bytes = ch.map(FileChannel.MapMode.READ_ONLY, e.begin(), e.end() - e.begin());
      bytes.order(ByteOrder.LITTLE_ENDIAN);
      switch (e.dtype()) {
        case "F32" -> bytes.asFloatBuffer().get(out);
        case "BF16" -> {
          for (int i = 0; i < out.length; i++) {
            out[i] = Float.intBitsToFloat((bytes.getShort(2 * i) & 0xFFFF) << 16);
          }
        }
        default -> {
          for (int i = 0; i < out.length; i++) {
            out[i] = HalfFloat.toFloat(bytes.getShort(2 * i));
          }
        }
      }
    } catch (IOException ex) {
      throw new ModelException(
          e.file() + ": cannot read tensor " + name + ": " + ex.getMessage(), ex);
    }
    return out;
  }
}
