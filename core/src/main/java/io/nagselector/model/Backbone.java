package io.nagselector.model;

import ai.djl.ndarray.NDManager;

/** A frozen transformer whose forward reports neuron impacts. */
public interface Backbone extends AutoCloseable {
  /** The family, e.g. {@code llama} or {@code bert}. */
  String family();

  int numLayers();

  int vocabSize();

  /** How many neurons a feature of {@code type} ranks at each layer. */
  int width(NeuronType type);

  /**
   * Runs the forward over a right-padded batch (token ids row-major [batch][maxLength]) up to the
   * last layer {@code impacts} wants, reporting impacts to it. Every NDArray it makes belongs to
   * {@code batch}, which the caller closes.
   */
  void forward(NDManager batch, int[][] tokens, int maxLength, Impacts impacts);

  /**
   * FLOPs (2 per multiply-add) of a forward of one document of {@code tokens} tokens through every
   * layer (projections, attention scores and mixing); with {@code upOnlyAtLastLayer}, the last
   * layer stops after its up projection, as extraction of {@code fwd_up} alone does.
   */
  double forwardFlops(int tokens, boolean upOnlyAtLastLayer);

  @Override
  void close();
}
