package io.nagselector.model;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.Map;

/**
 * An independent, plain-Java double-precision forward of one document (no batching, no padding),
 * written from the families' published definitions. Returns every neuron type's impacts:
 * [layer][neuron] = mean over the document's tokens of |activation|.
 */
final class ReferenceForward {
  private final Map<String, float[]> w;
  private final JsonNode c;

  ReferenceForward(TinyCheckpoint checkpoint) {
    this.w = checkpoint.weights;
    this.c = checkpoint.config;
  }

  private double[] vec(String name) {
    float[] f = w.get(name);
    double[] d = new double[f.length];
    for (int i = 0; i < f.length; i++) {
      d[i] = f[i];
    }
    return d;
  }

  /** y[t] = W x[t] + b, W row-major [out][in]. */
  private double[][] linear(double[][] x, String prefix, boolean bias) {
    double[] weight = vec(prefix + ".weight");
    double[] b = bias ? vec(prefix + ".bias") : null;
    int in = x[0].length;
    int out = weight.length / in;
    double[][] y = new double[x.length][out];
    for (int t = 0; t < x.length; t++) {
      for (int o = 0; o < out; o++) {
        double s = b == null ? 0 : b[o];
        for (int i = 0; i < in; i++) {
          s += weight[o * in + i] * x[t][i];
        }
        y[t][o] = s;
      }
    }
    return y;
  }

  private static double[] rms(double[] x, double[] weight, double eps) {
    double ss = 0;
    for (double v : x) {
      ss += v * v;
    }
    double scale = 1 / Math.sqrt(ss / x.length + eps);
    double[] y = new double[x.length];
    for (int i = 0; i < x.length; i++) {
      y[i] = x[i] * scale * weight[i];
    }
    return y;
  }

  private static double[] layerNorm(double[] x, double[] weight, double[] bias, double eps) {
    double mean = 0;
    for (double v : x) {
      mean += v / x.length;
    }
    double var = 0;
    for (double v : x) {
      var += (v - mean) * (v - mean) / x.length;
    }
    double[] y = new double[x.length];
    for (int i = 0; i < x.length; i++) {
      y[i] = (x[i] - mean) / Math.sqrt(var + eps) * weight[i] + bias[i];
    }
    return y;
  }

  private static double[] meanAbs(double[][] x) {
    double[] m = new double[x[0].length];
    for (double[] row : x) {
      for (int i = 0; i < m.length; i++) {
        m[i] += Math.abs(row[i]) / x.length;
      }
    }
    return m;
  }

  /** erf through the Chebyshev erfc of Numerical Recipes (fractional error below 1.2e-7). */
  private static double erf(double x) {
    double z = Math.abs(x);
    double t = 1 / (1 + 0.5 * z);
    double erfc =
        t
            * Math.exp(
                -z * z
                    - 1.26551223
                    + t
                        * (1.00002368
                            + t
                                * (0.37409196
                                    + t
                                        * (0.09678418
                                            + t
                                                * (-0.18628806
                                                    + t
                                                        * (0.27886807
                                                            + t
                                                                * (-1.13520398
                                                                    + t
                                                                        * (1.48851587
                                                                            + t
                                                                                * (-0.82215223
                                                                                    + t
                                                                                        * 0.17087277)))))))));
    return x >= 0 ? 1 - erfc : erfc - 1;
  }

  private double inverseFrequency(int i, int headDim) {
    double theta = c.path("rope_theta").asDouble();
    double f = Math.pow(theta, -2.0 * i / headDim);
    JsonNode s = c.path("rope_scaling");
    if (!s.isObject()) {
      return f;
    }
    double factor = s.path("factor").asDouble();
    double low = s.path("low_freq_factor").asDouble();
    double high = s.path("high_freq_factor").asDouble();
    double original = s.path("original_max_position_embeddings").asDouble();
    double wavelength = 2 * Math.PI / f;
    if (wavelength < original / high) {
      return f;
    }
    if (wavelength > original / low) {
      return f / factor;
    }
    double smooth = (original / wavelength - low) / (high - low);
    return (1 - smooth) * f / factor + smooth * f;
  }

  /** Rotates each head of row vector v (heads x headDim) for position p, rotate-half style. */
  private void rotate(double[] v, int heads, int headDim, int p) {
    int half = headDim / 2;
    for (int h = 0; h < heads; h++) {
      for (int i = 0; i < half; i++) {
        double angle = p * inverseFrequency(i, headDim);
        double a = v[h * headDim + i];
        double b = v[h * headDim + half + i];
        v[h * headDim + i] = a * Math.cos(angle) - b * Math.sin(angle);
        v[h * headDim + half + i] = b * Math.cos(angle) + a * Math.sin(angle);
      }
    }
  }

  /** Attention over all tokens (causal or not) of q/k/v already expanded to every head. */
  private static double[][] attend(
      double[][] q, double[][] k, double[][] v, int heads, int headDim, boolean causal) {
    int n = q.length;
    double[][] out = new double[n][heads * headDim];
    for (int h = 0; h < heads; h++) {
      for (int i = 0; i < n; i++) {
        int visible = causal ? i + 1 : n;
        double[] s = new double[visible];
        double max = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < visible; j++) {
          for (int d = 0; d < headDim; d++) {
            s[j] += q[i][h * headDim + d] * k[j][h * headDim + d];
          }
          s[j] /= Math.sqrt(headDim);
          max = Math.max(max, s[j]);
        }
        double z = 0;
        for (int j = 0; j < visible; j++) {
          s[j] = Math.exp(s[j] - max);
          z += s[j];
        }
        for (int j = 0; j < visible; j++) {
          for (int d = 0; d < headDim; d++) {
            out[i][h * headDim + d] += s[j] / z * v[j][h * headDim + d];
          }
        }
      }
    }
    return out;
  }

  Map<NeuronType, double[][]> decoder(int[] ids) {
    int hidden = c.path("hidden_size").asInt();
    int layers = c.path("num_hidden_layers").asInt();
    int heads = c.path("num_attention_heads").asInt();
    int kvHeads = c.path("num_key_value_heads").asInt();
    int headDim = c.path("head_dim").asInt();
    double eps = c.path("rms_norm_eps").asDouble();
    String family = c.path("model_type").asText();
    Map<NeuronType, double[][]> impacts = new EnumMap<>(NeuronType.class);
    for (NeuronType t : NeuronType.values()) {
      impacts.put(t, new double[layers][]);
    }
    double[] emb = vec("model.embed_tokens.weight");
    double[][] x = new double[ids.length][hidden];
    for (int t = 0; t < ids.length; t++) {
      System.arraycopy(emb, ids[t] * hidden, x[t], 0, hidden);
    }
    for (int l = 0; l < layers; l++) {
      String p = "model.layers." + l + ".";
      double[][] h = new double[ids.length][];
      for (int t = 0; t < ids.length; t++) {
        h[t] = rms(x[t], vec(p + "input_layernorm.weight"), eps);
      }
      boolean bias = family.equals("qwen2");
      double[][] q = linear(h, p + "self_attn.q_proj", bias);
      double[][] k = linear(h, p + "self_attn.k_proj", bias);
      double[][] v = linear(h, p + "self_attn.v_proj", bias);
      if (family.equals("qwen3")) {
        for (int t = 0; t < ids.length; t++) {
          q[t] = perHeadRms(q[t], heads, headDim, vec(p + "self_attn.q_norm.weight"), eps);
          k[t] = perHeadRms(k[t], kvHeads, headDim, vec(p + "self_attn.k_norm.weight"), eps);
        }
      }
      double[][] kx = expand(k, heads, kvHeads, headDim);
      double[][] vx = expand(v, heads, kvHeads, headDim);
      impacts.get(NeuronType.ATT_Q)[l] = meanAbs(q);
      impacts.get(NeuronType.ATT_K)[l] = meanAbs(kx);
      impacts.get(NeuronType.ATT_V)[l] = meanAbs(vx);
      boolean rope =
          !c.path("no_rope_layers").isArray() || c.path("no_rope_layers").get(l).asInt() == 1;
      if (rope) {
        for (int t = 0; t < ids.length; t++) {
          rotate(q[t], heads, headDim, t);
          rotate(kx[t], heads, headDim, t);
        }
      }
      double[][] o = linear(attend(q, kx, vx, heads, headDim, true), p + "self_attn.o_proj", false);
      impacts.get(NeuronType.ATT_O)[l] = meanAbs(o);
      for (int t = 0; t < ids.length; t++) {
        for (int i = 0; i < hidden; i++) {
          x[t][i] += o[t][i];
        }
        h[t] = rms(x[t], vec(p + "post_attention_layernorm.weight"), eps);
      }
      double[][] up = linear(h, p + "mlp.up_proj", false);
      double[][] gate = linear(h, p + "mlp.gate_proj", false);
      impacts.get(NeuronType.FWD_UP)[l] = meanAbs(up);
      for (int t = 0; t < ids.length; t++) {
        for (int i = 0; i < up[t].length; i++) {
          double g = gate[t][i];
          up[t][i] *= g / (1 + Math.exp(-g));
        }
      }
      double[][] down = linear(up, p + "mlp.down_proj", false);
      impacts.get(NeuronType.FWD_DOWN)[l] = meanAbs(down);
      for (int t = 0; t < ids.length; t++) {
        for (int i = 0; i < hidden; i++) {
          x[t][i] += down[t][i];
        }
      }
    }
    return impacts;
  }

  private static double[] perHeadRms(double[] v, int heads, int headDim, double[] w, double eps) {
    double[] out = new double[v.length];
    for (int h = 0; h < heads; h++) {
      double[] head = Arrays.copyOfRange(v, h * headDim, (h + 1) * headDim);
      System.arraycopy(rms(head, w, eps), 0, out, h * headDim, headDim);
    }
    return out;
  }

  private static double[][] expand(double[][] kv, int heads, int kvHeads, int headDim) {
    double[][] out = new double[kv.length][heads * headDim];
    int group = heads / kvHeads;
    for (int t = 0; t < kv.length; t++) {
      for (int h = 0; h < heads; h++) {
        System.arraycopy(kv[t], (h / group) * headDim, out[t], h * headDim, headDim);
      }
    }
    return out;
  }

  Map<NeuronType, double[][]> bert(int[] ids) {
    int hidden = c.path("hidden_size").asInt();
    int layers = c.path("num_hidden_layers").asInt();
    int heads = c.path("num_attention_heads").asInt();
    double eps = c.path("layer_norm_eps").asDouble();
    Map<NeuronType, double[][]> impacts = new EnumMap<>(NeuronType.class);
    for (NeuronType t : NeuronType.values()) {
      impacts.put(t, new double[layers][]);
    }
    double[] words = vec("embeddings.word_embeddings.weight");
    double[] positions = vec("embeddings.position_embeddings.weight");
    double[] types = vec("embeddings.token_type_embeddings.weight");
    double[][] x = new double[ids.length][hidden];
    for (int t = 0; t < ids.length; t++) {
      for (int i = 0; i < hidden; i++) {
        x[t][i] = words[ids[t] * hidden + i] + positions[t * hidden + i] + types[i];
      }
      x[t] =
          layerNorm(
              x[t], vec("embeddings.LayerNorm.weight"), vec("embeddings.LayerNorm.bias"), eps);
    }
    for (int l = 0; l < layers; l++) {
      String p = "encoder.layer." + l + ".";
      double[][] q = linear(x, p + "attention.self.query", true);
      double[][] k = linear(x, p + "attention.self.key", true);
      double[][] v = linear(x, p + "attention.self.value", true);
      impacts.get(NeuronType.ATT_Q)[l] = meanAbs(q);
      impacts.get(NeuronType.ATT_K)[l] = meanAbs(k);
      impacts.get(NeuronType.ATT_V)[l] = meanAbs(v);
      double[][] o =
          linear(attend(q, k, v, heads, hidden / heads, false), p + "attention.output.dense", true);
      impacts.get(NeuronType.ATT_O)[l] = meanAbs(o);
      for (int t = 0; t < ids.length; t++) {
        for (int i = 0; i < hidden; i++) {
          o[t][i] += x[t][i];
        }
        x[t] =
            layerNorm(
                o[t],
                vec(p + "attention.output.LayerNorm.weight"),
                vec(p + "attention.output.LayerNorm.bias"),
                eps);
      }
      double[][] up = linear(x, p + "intermediate.dense", true);
      impacts.get(NeuronType.FWD_UP)[l] = meanAbs(up);
      for (double[] row : up) {
        for (int i = 0; i < row.length; i++) {
          row[i] = 0.5 * row[i] * (1 + erf(row[i] / Math.sqrt(2)));
        }
      }
      double[][] down = linear(up, p + "output.dense", true);
      impacts.get(NeuronType.FWD_DOWN)[l] = meanAbs(down);
      for (int t = 0; t < ids.length; t++) {
        for (int i = 0; i < hidden; i++) {
          down[t][i] += x[t][i];
        }
        x[t] =
            layerNorm(
                down[t], vec(p + "output.LayerNorm.weight"), vec(p + "output.LayerNorm.bias"), eps);
      }
    }
    return impacts;
  }
}
