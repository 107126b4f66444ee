package dev.azrdpfix.simulator.guest;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;

/** Builds the guest of each simulated Windows VM in its initial (faulty) state, and restores saved guests. */
public final class GuestCatalog {
  private GuestCatalog() {}

  /**
   * The guest of a catalogue VM in its initial state. {@code fault} is the catalogue's fault id, e.g. "headline",
   * "healthy", "expired-cert", "machinekeys", "machinekeys-corrupt", "termservice-stopped", "rdp-disabled",
   * "firewall", "tls-disabled", "clock-skew".
   */
  public static GuestRuntime create(String computerName, String fault, Instant now) {
    throw new UnsupportedOperationException("guest model not built yet");
  }

  /** A guest restored from {@link GuestRuntime#toJson()}. */
  public static GuestRuntime restore(JsonNode json) {
    throw new UnsupportedOperationException("guest model not built yet");
  }
}
