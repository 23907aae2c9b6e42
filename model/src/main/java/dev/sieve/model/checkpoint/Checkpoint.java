package dev.sieve.model.checkpoint;

/** A checkpoint read back and verified: its description and the network weights. */
public record Checkpoint(CheckpointMeta meta, byte[] parameters) {}
