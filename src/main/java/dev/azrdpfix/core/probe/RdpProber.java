package dev.azrdpfix.core.probe;

/** Proves (or disproves) that an RDP server answers, the way a client finds out. Implemented in {@code probe}. */
public interface RdpProber {
  ProbeResult probe(ProbeRequest request);
}
