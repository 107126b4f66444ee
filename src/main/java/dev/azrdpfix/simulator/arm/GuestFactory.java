package dev.azrdpfix.simulator.arm;

import com.fasterxml.jackson.databind.JsonNode;
import dev.azrdpfix.simulator.guest.GuestCatalog;
import dev.azrdpfix.simulator.guest.GuestRuntime;
import java.time.Instant;

/** Where the simulator gets guests from: {@link GuestCatalog} in production, small fakes in tests. */
public interface GuestFactory {
  GuestRuntime create(String computerName, String fault, Instant now);

  GuestRuntime restore(JsonNode json);

  /** The real simulated guests. */
  GuestFactory CATALOG = new GuestFactory() {
    @Override
    public GuestRuntime create(String computerName, String fault, Instant now) {
      return GuestCatalog.create(computerName, fault, now);
    }

    @Override
    public GuestRuntime restore(JsonNode json) {
      return GuestCatalog.restore(json);
    }
  };
}
