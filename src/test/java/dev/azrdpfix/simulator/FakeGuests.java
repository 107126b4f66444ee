package dev.azrdpfix.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.azrdpfix.simulator.arm.GuestFactory;
import dev.azrdpfix.simulator.guest.GuestRuntime;
import dev.azrdpfix.simulator.rdp.RdpBehaviour;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Small stand-in guests that count what the ARM simulator asked of them and survive the state file. */
final class FakeGuests implements GuestFactory {
  private static final ObjectMapper JSON = new ObjectMapper();
  /** The most recently materialised guest per computer name. */
  final Map<String, Guest> latest = new ConcurrentHashMap<>();

  static final class Guest implements GuestRuntime {
    final String name;
    final String fault;
    int runs;
    int restarts;
    int reapplies;
    volatile RdpBehaviour.Mode mode = RdpBehaviour.Mode.HEALTHY_NLA;

    Guest(String name, String fault) {
      this.name = name;
      this.fault = fault;
    }

    @Override
    public RunOutput runPowerShell(List<String> scriptLines, Map<String, String> parameters, Instant now) {
      runs++;
      if (scriptLines.contains("throw")) {
        return new RunOutput("", "boom");
      }
      return new RunOutput("guest " + name + " ran " + String.join("|", scriptLines) + " with " + parameters
          + " (run " + runs + ", restarts " + restarts + ")", "");
    }

    @Override
    public void restart(Instant now) {
      restarts++;
    }

    @Override
    public void reapply(Instant now) {
      reapplies++;
    }

    @Override
    public boolean agentReady() {
      return true;
    }

    @Override
    public RdpBehaviour rdpBehaviour(Instant now) {
      return new RdpBehaviour(mode, null, null, Duration.ZERO, name);
    }

    @Override
    public JsonNode toJson() {
      ObjectNode n = JSON.createObjectNode();
      n.put("name", name).put("fault", fault).put("runs", runs).put("restarts", restarts)
          .put("reapplies", reapplies);
      return n;
    }
  }

  @Override
  public GuestRuntime create(String computerName, String fault, Instant now) {
    Guest g = new Guest(computerName, fault);
    latest.put(computerName, g);
    return g;
  }

  @Override
  public GuestRuntime restore(JsonNode json) {
    Guest g = new Guest(json.path("name").asText(), json.path("fault").asText());
    g.runs = json.path("runs").asInt();
    g.restarts = json.path("restarts").asInt();
    g.reapplies = json.path("reapplies").asInt();
    latest.put(g.name, g);
    return g;
  }
}
