package io.nagselector.pipeline;

import io.nagselector.model.NeuronType;
import java.io.Serializable;
import java.time.Duration;

/** Which model and batching the job's extractor uses; equal specs share one loaded model. */
public record ExtractorSpec(
    String model,
    int topK,
    int maxLength,
    NeuronType neuronType,
    int batchSize,
    int maxBatchTokens,
    Duration maxWait)
    implements Serializable {}
