package io.nagselector.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * BERT-family encoders (BERT, MiniLM, BGE): post-LayerNorm blocks with bidirectional attention,
 * exact GELU. The FFN input is the attention block's output after its LayerNorm; {@code fwd_up} is
 * |intermediate.dense(x) + bias|.
 */
final class BertModel implements Backbone {
  private record Block(
      Attention attention,
      Layers.LayerNorm attentionNorm,
      Layers.Linear intermediate,
      Layers.Linear output,
      Layers.LayerNorm outputNorm) {}

  private final BertConfig config;
  private final Weights weights;
  private final float[] words;
  private final float[] positions;
  private final float[] tokenType;
  private final Layers.LayerNorm embeddingNorm;
  private final List<Block> blocks;

  private BertModel(
      BertConfig config,
      Weights weights,
      float[] words,
      float[] positions,
      float[] tokenType,
      Layers.LayerNorm embeddingNorm,
      List<Block> blocks) {
    this.config = config;
    this.weights = weights;
    this.words = words;
    this.positions = positions;
    this.tokenType = tokenType;
    this.embeddingNorm = embeddingNorm;
    this.blocks = blocks;
  }

  static BertModel load(BertConfig c, Weights src) {
    String root = src.has("bert.embeddings.word_embeddings.weight") ? "bert." : "";
    int d = c.hiddenSize();
    int heads = c.numAttentionHeads();
    if (d % heads != 0) {
      throw new ModelException(
          src.origin()
              + ": hidden_size "
              + d
              + " is not a multiple of num_attention_heads "
              + heads);
    }
    String e = root + "embeddings.";
    float[] types = src.floats(e + "token_type_embeddings.weight", c.typeVocabSize(), d);
    List<Block> blocks = new ArrayList<>();
    for (int i = 0; i < c.numHiddenLayers(); i++) {
      String p = root + "encoder.layer." + i + ".";
      Attention attention =
          new Attention(
              Layers.Linear.load(src, p + "attention.self.query", d, d, true),
              Layers.Linear.load(src, p + "attention.self.key", d, d, true),
              Layers.Linear.load(src, p + "attention.self.value", d, d, true),
              Layers.Linear.load(src, p + "attention.output.dense", d, d, true),
              null,
              null,
              heads,
              heads,
              d / heads);
      blocks.add(
          new Block(
              attention,
              Layers.LayerNorm.load(src, p + "attention.output.LayerNorm", d, c.layerNormEps()),
              Layers.Linear.load(src, p + "intermediate.dense", c.intermediateSize(), d, true),
              Layers.Linear.load(src, p + "output.dense", d, c.intermediateSize(), true),
              Layers.LayerNorm.load(src, p + "output.LayerNorm", d, c.layerNormEps())));
    }
    return new BertModel(
        c,
        src,
        src.floats(e + "word_embeddings.weight", c.vocabSize(), d),
        src.floats(e + "position_embeddings.weight", c.maxPositionEmbeddings(), d),
        Arrays.copyOf(types, d),
        Layers.LayerNorm.load(src, e + "LayerNorm", d, c.layerNormEps()),
        blocks);
  }

  @Override
  public String family() {
    return "bert";
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
    return type == NeuronType.FWD_UP ? config.intermediateSize() : config.hiddenSize();
  }

  @Override
  public double forwardFlops(int tokens, boolean upOnlyAtLastLayer) {
    double d = config.hiddenSize();
    double perToken = 4 * 2 * d * d + 2 * d * tokens * 2 + 2 * 2 * d * config.intermediateSize();
    double skipped = upOnlyAtLastLayer ? 2 * d * config.intermediateSize() : 0;
    return (perToken * config.numHiddenLayers() - skipped) * tokens;
  }

  /** Word + position + token-type-0 embeddings, before the LayerNorm. */
  private NDArray embed(NDManager batch, int[][] tokens, int maxLength) {
    int d = config.hiddenSize();
    float[] out = new float[tokens.length * maxLength * d];
    for (int b = 0; b < tokens.length; b++) {
      for (int t = 0; t < tokens[b].length; t++) {
        int o = (b * maxLength + t) * d;
        int w = tokens[b][t] * d;
        for (int i = 0; i < d; i++) {
          out[o + i] = words[w + i] + positions[t * d + i] + tokenType[i];
        }
      }
    }
    return batch.create(out, new Shape(tokens.length, maxLength, d));
  }

  @Override
  public void forward(NDManager batch, int[][] tokens, int maxLength, Impacts impacts) {
    if (maxLength > config.maxPositionEmbeddings()) {
      throw new ModelException(
          "batch of "
              + maxLength
              + " tokens exceeds max_position_embeddings "
              + config.maxPositionEmbeddings());
    }
    NDArray x = embeddingNorm.apply(embed(batch, tokens, maxLength));
    NDArray mask = Batches.mask(batch, tokens, maxLength, false);
    for (int layer = 0; layer <= impacts.lastLayer(); layer++) {
      try (NDManager step = batch.newSubManager()) { // frees the layer's intermediates
        x.attach(step);
        Block block = blocks.get(layer);
        boolean last = layer == impacts.lastLayer();
        NDArray attended = block.attention().forward(x, mask, null, layer, impacts);
        x = block.attentionNorm().apply(x.add(attended));
        if (last && !impacts.wantsAnyFeedForward(layer)) {
          return;
        }
        NDArray up = block.intermediate().apply(x);
        impacts.observe(layer, NeuronType.FWD_UP, up);
        if (last && !impacts.wants(layer, NeuronType.FWD_DOWN)) {
          return;
        }
        NDArray down = block.output().apply(Activation.gelu(up));
        impacts.observe(layer, NeuronType.FWD_DOWN, down);
        x = block.outputNorm().apply(x.add(down));
        x.attach(batch);
      }
    }
  }

  /** The final hidden states [batch, maxLength, hidden] (for comparison with other runtimes). */
  NDArray hiddenStates(NDManager batch, int[][] tokens, int maxLength) {
    NDArray x = embeddingNorm.apply(embed(batch, tokens, maxLength));
    NDArray mask = Batches.mask(batch, tokens, maxLength, false);
    Impacts none =
        new Impacts(
            batch, List.of(), new boolean[config.numHiddenLayers()], lengths(tokens), maxLength);
    for (Block block : blocks) {
      x = block.attentionNorm().apply(x.add(block.attention().forward(x, mask, null, 0, none)));
      NDArray down = block.output().apply(Activation.gelu(block.intermediate().apply(x)));
      x = block.outputNorm().apply(x.add(down));
    }
    return x;
  }

  private static int[] lengths(int[][] tokens) {
    int[] lengths = new int[tokens.length];
    for (int i = 0; i < tokens.length; i++) {
      lengths[i] = tokens[i].length;
    }
    return lengths;
  }

  @Override
  public void close() {
    weights.manager().close();
  }
}
