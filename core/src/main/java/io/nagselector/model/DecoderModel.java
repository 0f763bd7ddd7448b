package io.nagselector.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Activation;
import java.util.ArrayList;
import java.util.List;

/**
 * The decoder-only families (llama, qwen2, qwen3, smollm3) as one pre-norm block: norm, attention,
 * residual, norm, SiLU-gated MLP, residual. They differ only in their config (biases, q/k norms,
 * which layers use rotary embeddings), so one weight mapping serves all four.
 */
final class DecoderModel implements Backbone {
  private record Block(
      Layers.RmsNorm inputNorm,
      Attention attention,
      Layers.RmsNorm postAttentionNorm,
      Layers.Linear gate,
      Layers.Linear up,
      Layers.Linear down) {}

  private final DecoderConfig config;
  private final Weights weights;
  private final float[] embeddings;
  private final List<Block> blocks;
  private final Rope rope;

  private DecoderModel(
      DecoderConfig config, Weights weights, float[] embeddings, List<Block> blocks) {
    this.config = config;
    this.weights = weights;
    this.embeddings = embeddings;
    this.blocks = blocks;
    this.rope = new Rope(config.headDim(), config.ropeTheta(), config.ropeScaling());
  }

  static DecoderModel load(DecoderConfig c, Weights w) {
    NDManager manager = w.manager();
    int d = c.hiddenSize();
    int qWidth = c.numAttentionHeads() * c.headDim();
    int kvWidth = c.numKeyValueHeads() * c.headDim();
    if (c.numAttentionHeads() % c.numKeyValueHeads() != 0) {
      throw new ModelException(
          w.origin()
              + ": num_attention_heads "
              + c.numAttentionHeads()
              + " is not a multiple of num_key_value_heads "
              + c.numKeyValueHeads());
    }
    float[] embeddings = w.floats("model.embed_tokens.weight", c.vocabSize(), d);
    List<Block> blocks = new ArrayList<>();
    for (int i = 0; i < c.numHiddenLayers(); i++) {
      String p = "model.layers." + i + ".";
      Layers.RmsNorm qNorm = null;
      Layers.RmsNorm kNorm = null;
      if (c.qkNorm()) {
        qNorm = Layers.RmsNorm.load(w, p + "self_attn.q_norm.weight", c.headDim(), c.rmsNormEps());
        kNorm = Layers.RmsNorm.load(w, p + "self_attn.k_norm.weight", c.headDim(), c.rmsNormEps());
      }
      Attention attention =
          new Attention(
              Layers.Linear.load(w, p + "self_attn.q_proj", qWidth, d, c.qkvBias()),
              Layers.Linear.load(w, p + "self_attn.k_proj", kvWidth, d, c.qkvBias()),
              Layers.Linear.load(w, p + "self_attn.v_proj", kvWidth, d, c.qkvBias()),
              Layers.Linear.load(w, p + "self_attn.o_proj", d, qWidth, false),
              qNorm,
              kNorm,
              c.numAttentionHeads(),
              c.numKeyValueHeads(),
              c.headDim());
      blocks.add(
          new Block(
              Layers.RmsNorm.load(w, p + "input_layernorm.weight", d, c.rmsNormEps()),
              attention,
              Layers.RmsNorm.load(w, p + "post_attention_layernorm.weight", d, c.rmsNormEps()),
              Layers.Linear.load(w, p + "mlp.gate_proj", c.intermediateSize(), d, false),
              Layers.Linear.load(w, p + "mlp.up_proj", c.intermediateSize(), d, false),
              Layers.Linear.load(w, p + "mlp.down_proj", d, c.intermediateSize(), false)));
    }
    return new DecoderModel(c, w, embeddings, blocks);
  }

  @Override
  public String family() {
    return config.modelType();
  }

  @Override
  public int numLayers() {
    return config.numHiddenLayers();
  }

  @Override
  public int vocabSize() {
    return config.vocabSize();
  }

  @Override
  public int width(NeuronType type) {
    return switch (type) {
      case FWD_UP -> config.intermediateSize();
      case FWD_DOWN, ATT_O -> config.hiddenSize();
      case ATT_Q, ATT_K, ATT_V -> config.numAttentionHeads() * config.headDim();
    };
  }

  @Override
  public double forwardFlops(int tokens, boolean upOnlyAtLastLayer) {
    double d = config.hiddenSize();
    double q = (double) config.numAttentionHeads() * config.headDim();
    double kv = (double) config.numKeyValueHeads() * config.headDim();
    double perToken =
        2 * d * (q + 2 * kv)
            + 2 * q * d
            + 2 * q * tokens * 2
            + 3 * 2 * d * config.intermediateSize();
    double skipped = upOnlyAtLastLayer ? 2 * 2 * d * config.intermediateSize() : 0;
    return (perToken * config.numHiddenLayers() - skipped) * tokens;
  }

  @Override
  public void forward(NDManager batch, int[][] tokens, int maxLength, Impacts impacts) {
    NDArray x = Batches.embed(batch, embeddings, config.hiddenSize(), tokens, maxLength);
    NDArray mask = Batches.mask(batch, tokens, maxLength, true);
    NDList tables = rope.tables(batch, maxLength);
    for (int layer = 0; layer <= impacts.lastLayer(); layer++) {
      // Each layer's intermediates live in their own manager and are freed when the layer ends;
      // otherwise a batch holds every layer's activations at once (a CUDA OOM at batch 128 on
      // Qwen3-0.6B's shapes with 140 GB).
      try (NDManager step = batch.newSubManager()) {
        x.attach(step);
        Block block = blocks.get(layer);
        boolean last = layer == impacts.lastLayer();
        NDList layerRope = config.useRope()[layer] ? tables : null;
        x =
            x.add(
                block
                    .attention()
                    .forward(block.inputNorm().apply(x), mask, layerRope, layer, impacts));
        if (last && !impacts.wantsAnyFeedForward(layer)) {
          return;
        }
        NDArray h = block.up().input(block.postAttentionNorm().apply(x)); // up and gate share it
        NDArray up = block.up().apply(h);
        impacts.observe(layer, NeuronType.FWD_UP, up);
        if (last && !impacts.wants(layer, NeuronType.FWD_DOWN)) {
          return;
        }
        NDArray gate = block.gate().apply(h);
        NDArray down = block.down().apply(Activation.sigmoid(gate).mul(gate).mul(up));
        impacts.observe(layer, NeuronType.FWD_DOWN, down);
        x = x.add(down);
        x.attach(batch);
      }
    }
  }

  @Override
  public void close() {
    weights.manager().close();
  }
}
