package io.nagselector.dataset;

/**
 * A selection on its way to the dataset: its partition, and the index of the sink writer that
 * writes it (the writers and this record's mapper read the selections alike, one to one).
 */
public record PartitionWrite(String partition, int writer) {}
