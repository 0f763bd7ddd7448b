package io.nagselector.extract;

import io.nagselector.model.NeuronType;
import java.io.Serializable;
import java.time.Duration;

/**
 * Which model and batching the job's extractor uses; equal specs share one loaded model. {@code
 * workers} batches run at once, each on its own thread, on {@code device} (cpu or gpu) in {@code
 * dtype} (fp32 or auto).
 */
public record ExtractorSpec(
    String model,
    int topK,
    int maxLength,
    NeuronType neuronType,
    int batchSize,
    int maxBatchTokens,
    Duration maxWait,
    int workers,
    String device,
    String dtype)
    implements Serializable {}
