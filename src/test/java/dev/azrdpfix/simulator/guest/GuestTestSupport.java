package dev.azrdpfix.simulator.guest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.azrdpfix.simulator.guest.GuestRuntime.RunOutput;
import java.time.Instant;
import java.util.Map;

/** Shared test steps: run a template or bundle and read its marker the way the tool must (last line, valid JSON). */
final class GuestTestSupport {
  static final Instant NOW = Instant.parse("2026-11-23T05:00:00Z");
  static final String MARKER = "AZRDPFIX-RESULT ";
  private static final ObjectMapper JSON = new ObjectMapper();

  private GuestTestSupport() {}

  /** The marker of the last stdout line; fails the test when there is none or it is not JSON. */
  static JsonNode marker(RunOutput out) {
    String[] lines = out.stdout().split("\n");
    String last = lines[lines.length - 1];
    if (!last.startsWith(MARKER)) {
      fail("no marker line; stdout=" + out.stdout() + " stderr=" + out.stderr());
    }
    try {
      JsonNode m = JSON.readTree(last.substring(MARKER.length()));
      assertEquals(1, m.path("v").asInt(), "contract version");
      return m;
    } catch (JsonProcessingException e) {
      throw new AssertionError("marker is not JSON: " + last, e);
    }
  }

  static boolean hasMarker(RunOutput out) {
    return out.stdout().contains(MARKER);
  }

  static JsonNode diagnose(GuestRuntime g, Instant now) {
    JsonNode m = marker(g.runPowerShell(Scripts.template("diagnose"), Map.of(), now));
    assertEquals("ok", m.path("status").asText(), m.toString());
    return m.path("facts");
  }

  static JsonNode bundle(GuestRuntime g, Instant now, Map<String, String> params, String... steps) {
    RunOutput out = g.runPowerShell(Scripts.bundle(steps), params, now);
    assertTrue(out.stdout().length() <= 4096);
    JsonNode m = marker(out);
    assertEquals("bundle", m.path("id").asText());
    return m;
  }

  static JsonNode step(JsonNode bundleMarker, String id) {
    for (JsonNode s : bundleMarker.path("steps")) {
      if (s.path("id").asText().equals(id)) {
        return s;
      }
    }
    throw new AssertionError("no step " + id + " in " + bundleMarker);
  }

  /** Facts without what legitimately moves on its own: the clock and the event counts. */
  static JsonNode configuration(JsonNode facts) {
    ObjectNode copy = facts.deepCopy();
    copy.remove("time");
    copy.remove("events");
    return copy;
  }

  /** Asserts the facts show an RDP set-up with nothing left to repair. */
  static void assertClean(JsonNode f, Instant now) {
    JsonNode inUse = f.path("certs").get(0);
    assertTrue(Instant.parse(inUse.path("notAfter").asText()).isAfter(now), "certificate in use is valid: " + f);
    assertTrue(inUse.path("keyReadable").asBoolean(), "key readable: " + f);
    assertTrue(f.path("machineKeys").path("rdpKeyReadable").asBoolean(), f.toString());
    assertEquals(false, f.path("machineKeys").path("corrupt").asBoolean(), f.toString());
    assertEquals("Running", f.path("services").path("TermService").path("state").asText(), f.toString());
    assertEquals("TermService", f.path("listener").path("service").asText(), f.toString());
    assertEquals(0, f.path("registry").path("fDenyTSConnections").asInt(), f.toString());
    assertTrue(f.path("registry").path("policyDenyTSConnections").isNull(), f.toString());
    assertTrue(f.path("firewall").path("rdpRules").path("Public").asBoolean(), f.toString());
    assertEquals(false, f.path("firewall").path("blockInbound").asBoolean(), f.toString());
    assertTrue(f.path("tls").path("1.2").isNull() || f.path("tls").path("1.2").asInt() == 1, f.toString());
  }
}
