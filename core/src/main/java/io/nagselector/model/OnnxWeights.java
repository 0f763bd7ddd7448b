package io.nagselector.model;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The float initializers of an ONNX model, under Hugging Face tensor names. Parses just the
 * protobuf fields it needs (graph nodes and initializers), so no protobuf dependency. MatMul
 * weights carry generated names (e.g. {@code onnx::MatMul_787}): they are named after the module
 * path of the MatMul node that reads them, and transposed from ONNX's [in, out] to PyTorch's [out,
 * in].
 */
public final class OnnxWeights implements TensorSource {
  private record Tensor(long[] dims, int dataType, ByteBuffer raw, float[] floats) {}

  private final String origin;
  private final Map<String, Tensor> byName = new HashMap<>();
  private final Map<String, String> matMulWeights = new HashMap<>();

  public OnnxWeights(byte[] model, String origin) {
    this.origin = origin;
    Reader graph = null;
    Reader top = new Reader(ByteBuffer.wrap(model));
    while (top.more()) {
      int field = top.tag();
      if (field == 7) {
        graph = top.message();
      } else {
        top.skip();
      }
    }
    if (graph == null) {
      throw new ModelException(origin + ": not an ONNX model (no graph)");
    }
    List<String[]> matMuls = new ArrayList<>();
    while (graph.more()) {
      int field = graph.tag();
      if (field == 1) {
        String[] node = node(graph.message());
        if (node != null) {
          matMuls.add(node);
        }
      } else if (field == 5) {
        tensor(graph.message());
      } else {
        graph.skip();
      }
    }
    for (String[] m : matMuls) {
      String output = m[1];
      if (byName.containsKey(m[0]) && output.endsWith("/MatMul_output_0")) {
        String module = output.substring(1, output.length() - "/MatMul_output_0".length());
        matMulWeights.put(module.replace('/', '.') + ".weight", m[0]);
      }
    }
  }

  /** A MatMul node as {weight input, output}, or null for other nodes. */
  private static String[] node(Reader r) {
    List<String> inputs = new ArrayList<>();
    List<String> outputs = new ArrayList<>();
    String op = "";
    while (r.more()) {
      switch (r.tag()) {
        case 1 -> inputs.add(r.string());
        case 2 -> outputs.add(r.string());
        case 4 -> op = r.string();
        default -> r.skip();
      }
    }
    return op.equals("MatMul") && inputs.size() == 2 && outputs.size() == 1
        ? new String[] {inputs.get(1), outputs.get(0)}
        : null;
  }

  private void tensor(Reader r) {
    List<Long> dims = new ArrayList<>();
    int dataType = 0;
    String name = null;
    ByteBuffer raw = null;
    List<Float> floats = new ArrayList<>();
    while (r.more()) {
      int field = r.tag();
      int wire = r.wireType();
      switch (field) {
        case 1 -> {
          if (wire == 2) {
            Reader packed = r.message();
            while (packed.more()) {
              dims.add(packed.varint());
            }
          } else {
            dims.add(r.varint());
          }
        }
        case 2 -> dataType = (int) r.varint();
        case 8 -> name = r.string();
        case 9 -> raw = r.bytes();
        case 4 -> {
          if (wire == 2) {
            ByteBuffer b = r.bytes().order(ByteOrder.LITTLE_ENDIAN);
            while (b.hasRemaining()) {
              floats.add(b.getFloat());
            }
          } else {
            floats.add(Float.intBitsToFloat(r.fixed32()));
          }
        }
        default -> r.skip();
      }
    }
    if (name != null) {
      float[] f = new float[floats.size()];
      for (int i = 0; i < f.length; i++) {
        f[i] = floats.get(i);
      }
      byName.put(
          name, new Tensor(dims.stream().mapToLong(Long::longValue).toArray(), dataType, raw, f));
    }
  }

  @Override
  public boolean has(String name) {
    return byName.containsKey(name) || matMulWeights.containsKey(name);
  }

  @Override
  public String origin() {
    return origin;
  }

  @Override
  public float[] read(String name, long... shape) {
    String matMul = matMulWeights.get(name);
    Tensor t = byName.get(matMul != null ? matMul : name);
    if (t == null) {
      throw new ModelException(
          origin
              + ": tensor "
              + name
              + " is missing (expected shape "
              + Arrays.toString(shape)
              + ")");
    }
    if (t.dataType() != 1) {
      throw new ModelException(
          origin + ": tensor " + name + " is not float32 (type " + t.dataType() + ")");
    }
    float[] values = values(t);
    if (matMul == null) {
      checkShape(name, t.dims(), shape);
      return values;
    }
    checkShape(name, new long[] {t.dims()[1], t.dims()[0]}, shape);
    int in = (int) t.dims()[0];
    int out = (int) t.dims()[1];
    float[] transposed = new float[values.length];
    for (int i = 0; i < in; i++) {
      for (int o = 0; o < out; o++) {
        transposed[o * in + i] = values[i * out + o];
      }
    }
    return transposed;
  }

  private static float[] values(Tensor t) {
    if (t.raw() == null) {
      return t.floats();
    }
    ByteBuffer b = t.raw().duplicate().order(ByteOrder.LITTLE_ENDIAN);
    float[] out = new float[b.remaining() / 4];
    b.asFloatBuffer().get(out);
    return out;
  }

  /** A protobuf wire-format reader over one message. */
  private static final class Reader {
    private final ByteBuffer buf;
    private int lastTag;

    Reader(ByteBuffer buf) {
      this.buf = buf;
    }

    boolean more() {
      return buf.hasRemaining();
    }

    int tag() {
      lastTag = (int) varint();
      return lastTag >>> 3;
    }

    int wireType() {
      return lastTag & 7;
    }

    long varint() {
      long result = 0;
      for (int shift = 0; shift < 64; shift += 7) {
        byte b = buf.get();
        result |= (long) (b & 0x7F) << shift;
        if (b >= 0) {
          return result;
        }
      }
      throw new ModelException("malformed protobuf varint");
    }

    int fixed32() {
      return buf.order(ByteOrder.LITTLE_ENDIAN).getInt();
    }

    ByteBuffer bytes() {
      int length = (int) varint();
      ByteBuffer slice = buf.slice().limit(length);
      buf.position(buf.position() + length);
      return slice;
    }

    Reader message() {
      return new Reader(bytes());
    }

    String string() {
      ByteBuffer b = bytes();
      byte[] s = new byte[b.remaining()];
      b.get(s);
      return new String(s, StandardCharsets.UTF_8);
    }

    void skip() {
      switch (wireType()) {
        case 0 -> varint();
        case 1 -> buf.position(buf.position() + 8);
        case 2 -> bytes();
        case 5 -> buf.position(buf.position() + 4);
        default -> throw new ModelException("unsupported protobuf wire type " + wireType());
      }
    }
  }
}
