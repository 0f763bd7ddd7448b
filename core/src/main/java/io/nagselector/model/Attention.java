package io.nagselector.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;

/**
 * Multi-head attention shared by every family: q/k/v projections (optional biases), optional
 * per-head q/k RMSNorm (Qwen3), key/value heads repeated for grouped-query attention, optional
 * rotary embeddings, an additive mask (causal and/or padding), then the output projection. The
 * q/k/v impacts are taken after the head norms and before rotary; the o impact on its output.
 */
final class Attention {
  private final Layers.Linear q;
  private final Layers.Linear k;
  private final Layers.Linear v;
  private final Layers.Linear o;
  private final Layers.RmsNorm qNorm;
  private final Layers.RmsNorm kNorm;
  private final int heads;
  private final int kvHeads;
  private final int headDim;

  Attention(
      Layers.Linear q,
      Layers.Linear k,
      Layers.Linear v,
      Layers.Linear o,
      Layers.RmsNorm qNorm,
      Layers.RmsNorm kNorm,
      int heads,
      int kvHeads,
      int headDim) {
    this.q = q;
    this.k = k;
    this.v = v;
    this.o = o;
    this.qNorm = qNorm;
    this.kNorm = kNorm;
    this.heads = heads;
    this.kvHeads = kvHeads;
    this.headDim = headDim;
  }

  /**
   * @param x [batch, tokens, hidden]
   * @param mask additive [batch, 1, tokens, tokens]
   * @param rope cos/sin tables, or null for no rotary embedding at this layer
   * @return the output projection [batch, tokens, hidden] (before the residual)
   */
  NDArray forward(NDArray x, NDArray mask, NDList rope, int layer, Impacts impacts) {
    long batch = x.getShape().get(0);
    long tokens = x.getShape().get(1);
    NDArray in = q.input(x); // q, k and v share one input
    NDArray qs = q.apply(in).reshape(batch, tokens, heads, headDim);
    NDArray ks = k.apply(in).reshape(batch, tokens, kvHeads, headDim);
    NDArray vs = v.apply(in).reshape(batch, tokens, kvHeads, headDim);
    if (qNorm != null) {
      qs = qNorm.apply(qs);
      ks = kNorm.apply(ks);
    }
    long width = (long) heads * headDim;
    long kvWidth = (long) kvHeads * headDim;
    int group = heads / kvHeads;
    impacts.observe(layer, NeuronType.ATT_Q, qs.reshape(batch, tokens, width));
    impacts.observeGrouped(
        layer, NeuronType.ATT_K, ks.reshape(batch, tokens, kvWidth), group, headDim);
    impacts.observeGrouped(
        layer, NeuronType.ATT_V, vs.reshape(batch, tokens, kvWidth), group, headDim);
    if (group > 1) {
      ks = ks.repeat(2, group);
      vs = vs.repeat(2, group);
    }
    NDArray qh = qs.transpose(0, 2, 1, 3);
    NDArray kh = ks.transpose(0, 2, 1, 3);
    NDArray vh = vs.transpose(0, 2, 1, 3);
    if (rope != null) {
      qh = Rope.apply(qh, rope);
      kh = Rope.apply(kh, rope);
    }
    NDArray scores = qh.matMul(kh.transpose(0, 1, 3, 2)).div((float) Math.sqrt(headDim)).add(mask);
    NDArray context =
        scores.softmax(-1).matMul(vh).transpose(0, 2, 1, 3).reshape(batch, tokens, width);
    NDArray out = o.apply(context);
    impacts.observe(layer, NeuronType.ATT_O, out);
    return out;
  }
}
