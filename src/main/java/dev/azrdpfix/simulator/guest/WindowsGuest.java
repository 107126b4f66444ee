package dev.azrdpfix.simulator.guest;

import com.fasterxml.jackson.annotation.JsonAutoDetect.Visibility;
import com.fasterxml.jackson.annotation.PropertyAccessor;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.azrdpfix.simulator.rdp.RdpBehaviour;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** A simulated Windows Server guest: the {@link GuestRuntime} the ARM simulator drives. Thread-safe. */
final class WindowsGuest implements GuestRuntime {
  static final ObjectMapper JSON =
      new ObjectMapper()
          .setVisibility(PropertyAccessor.ALL, Visibility.NONE)
          .setVisibility(PropertyAccessor.FIELD, Visibility.PUBLIC_ONLY)
          .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

  private final Windows windows;

  WindowsGuest(GuestState state) {
    this.windows = new Windows(state);
  }

  /** The live state, for tests in this package that set up a case the catalogue does not have. */
  GuestState state() {
    return windows.state();
  }

  static WindowsGuest fromJson(JsonNode json) {
    try {
      return new WindowsGuest(JSON.treeToValue(json, GuestState.class));
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("saved guest state is not readable: " + e.getOriginalMessage(), e);
    }
  }

  @Override
  public synchronized RunOutput runPowerShell(List<String> scriptLines, Map<String, String> parameters, Instant now) {
    return ScriptHost.run(windows, scriptLines, parameters, now);
  }

  @Override
  public synchronized void restart(Instant now) {
    windows.boot(now);
  }

  @Override
  public synchronized void reapply(Instant now) {
    windows.reapply();
  }

  @Override
  public synchronized boolean agentReady() {
    return windows.state().agentReady;
  }

  @Override
  public synchronized RdpBehaviour rdpBehaviour(Instant now) {
    return windows.behaviour(now);
  }

  @Override
  public synchronized JsonNode toJson() {
    return JSON.valueToTree(windows.state());
  }
}
