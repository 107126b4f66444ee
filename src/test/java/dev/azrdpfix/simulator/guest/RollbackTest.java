package dev.azrdpfix.simulator.guest;

import static dev.azrdpfix.simulator.guest.GuestTestSupport.NOW;
import static dev.azrdpfix.simulator.guest.GuestTestSupport.bundle;
import static dev.azrdpfix.simulator.guest.GuestTestSupport.configuration;
import static dev.azrdpfix.simulator.guest.GuestTestSupport.diagnose;
import static dev.azrdpfix.simulator.guest.GuestTestSupport.marker;
import static dev.azrdpfix.simulator.guest.GuestTestSupport.step;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.azrdpfix.simulator.rdp.RdpBehaviour.Mode;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The rollback template replays the journal backwards; a bundle stops at its first failed step. */
class RollbackTest {
  private static final Map<String, String> RUN = Map.of("RunId", Scripts.RUN_ID);
  private static final Instant T1 = NOW.plus(Duration.ofMinutes(2));
  private static final Instant T2 = NOW.plus(Duration.ofMinutes(4));
  private static final Instant T3 = NOW.plus(Duration.ofMinutes(6));

  private static JsonNode rollback(GuestRuntime g, Instant now) {
    JsonNode m = marker(g.runPowerShell(Scripts.template("rollback"), RUN, now));
    assertEquals("rollback", m.path("id").asText());
    return m;
  }

  @ParameterizedTest
  @CsvSource({
      "rdp-disabled, enable-remote-connections",
      "firewall, enable-rdp-firewall-rules",
      "tls-disabled, enable-tls-server",
      "termservice-stopped, restart-rdp-services",
      "key-file-acl, repair-rdp-key-acl"
  })
  void rollback_and_restart_give_back_the_initial_configuration(String fault, String repair) {
    GuestRuntime g = GuestCatalog.create("web-01", fault, NOW);
    JsonNode initial = configuration(diagnose(g, NOW));
    Mode initialMode = g.rdpBehaviour(NOW).mode();
    Map<String, String> params = new java.util.HashMap<>(RUN);
    if (repair.equals("repair-rdp-key-acl")) {
      params.put("Thumbprint", diagnose(g, NOW).path("rdpKey").path("tp").asText());
    }
    assertEquals("changed", bundle(g, NOW, params, repair).path("status").asText());
    g.restart(T1);
    assertTrue(g.rdpBehaviour(T1).mode().name().startsWith("HEALTHY"), fault + " repaired first");

    JsonNode m = rollback(g, T2);
    assertEquals("changed", m.path("status").asText(), m.toString());
    g.restart(T3);
    assertEquals(initial, configuration(diagnose(g, T3)));
    assertEquals(initialMode, g.rdpBehaviour(T3).mode());
  }

  @Test
  void a_second_rollback_has_nothing_left_to_do() {
    GuestRuntime g = GuestCatalog.create("web-01", "firewall", NOW);
    bundle(g, NOW, RUN, "enable-rdp-firewall-rules");
    assertEquals("changed", rollback(g, T1).path("status").asText());
    JsonNode again = rollback(g, T2);
    assertEquals("noop", again.path("status").asText(), again.toString());
  }

  @Test
  void rollback_of_a_run_that_changed_nothing_reports_so() {
    JsonNode m = rollback(GuestCatalog.create("web-01", "healthy", NOW), NOW);
    assertEquals("noop", m.path("status").asText());
    assertEquals("nothing-to-roll-back", m.path("findings").get(0).path("id").asText());
  }

  @Test
  void headline_rollback_restores_acl_and_certificate_and_names_what_cannot_be_undone() {
    GuestRuntime g = GuestCatalog.create("web-01", "headline", NOW);
    JsonNode before = diagnose(g, NOW);
    String old = before.path("certs").get(0).path("tp").asText();
    bundle(g, NOW, Map.of("RunId", Scripts.RUN_ID, "Thumbprints", old), "reset-machinekeys-acl",
        "remove-rdp-certificates", "restart-rdp-services");

    JsonNode m = rollback(g, T1);
    assertEquals("changed", m.path("status").asText());
    assertTrue(m.path("findings").toString().contains("not-reversible"), "service restarts are named");
    JsonNode f = diagnose(g, T1);
    assertEquals(before.path("machineKeys").path("sddl"), f.path("machineKeys").path("sddl"));
    boolean restored = false;
    for (JsonNode c : f.path("certs")) {
      if (c.path("tp").asText().equals(old)) {
        restored = true;
        // No PFX is ever written: the .cer is re-imported and re-linked to its kept key container.
        assertTrue(c.path("hasKey").asBoolean(), f.toString());
      }
    }
    assertTrue(restored, "the deleted certificate is back: " + f);
    assertEquals(2, f.path("certCount").asInt(), "the certificate Windows issued during the run stays");
  }

  @Test
  void rename_rollback_puts_the_old_machinekeys_folder_back() {
    GuestRuntime g = GuestCatalog.create("web-01", "machinekeys-corrupt-acl", NOW);
    bundle(g, NOW, RUN, "rename-machinekeys", "restart-rdp-services");
    g.restart(T1);
    assertFalse(g.agentReady());
    JsonNode m = rollback(g, T2);
    assertTrue(m.path("changes").toString().contains("restored from MachineKeys.azrdpfix-" + Scripts.RUN_ID));
    g.restart(T3);
    assertTrue(g.agentReady(), "the agent's transport key is back with the old folder");
    JsonNode f = diagnose(g, T3);
    assertEquals(Acl.BROKEN_MACHINEKEYS_SDDL, f.path("machineKeys").path("sddl").asText());
    assertEquals(Mode.CLOSE_AFTER_CLIENT_HELLO, g.rdpBehaviour(T3).mode());
  }

  @Test
  void a_failed_step_stops_the_bundle_and_the_marker_shows_what_changed() {
    // rdp-disabled plus disabled firewall rules, and a TermService whose logon account was changed (error 1069).
    GuestRuntime base = GuestCatalog.create("web-01", "rdp-disabled", NOW);
    ObjectNode state = (ObjectNode) base.toJson();
    ((ObjectNode) state.path("services").path("TermService")).put("account", ".\\svc-rdp");
    state.path("firewall").path("rdpRules").forEach(r -> ((ObjectNode) r).put("enabled", false));
    GuestRuntime g = GuestCatalog.restore(state);

    JsonNode m = bundle(g, NOW, RUN, "enable-remote-connections", "restart-rdp-services", "enable-rdp-firewall-rules");
    assertEquals("failed", m.path("status").asText());
    assertTrue(m.path("error").asText().startsWith("step restart-rdp-services failed: "), m.toString());
    assertTrue(m.path("error").asText().contains("1069"), m.toString());
    assertEquals(2, m.path("steps").size(), "the step after the failure is not run and not listed");
    assertEquals("changed", step(m, "enable-remote-connections").path("status").asText());
    assertEquals("failed", step(m, "restart-rdp-services").path("status").asText());
    JsonNode f = diagnose(g, NOW);
    assertEquals(0, f.path("registry").path("fDenyTSConnections").asInt(), "the first step's change stays");
    assertFalse(f.path("firewall").path("rdpRules").path("Public").asBoolean(), "the third step never ran");

    rollback(g, T1);
    assertEquals(1, diagnose(g, T1).path("registry").path("fDenyTSConnections").asInt());
  }

  @Test
  void a_value_changed_again_after_the_run_is_left_alone() {
    GuestRuntime g = GuestCatalog.create("web-01", "tls-disabled", NOW);
    bundle(g, NOW, RUN, "enable-tls-server");
    // Someone sets the value to something else after the repair: rollback must not overwrite it.
    GuestState s = ((WindowsGuest) g).state();
    s.registry.put(Reg.tlsEnabled("1.2"), 5);
    JsonNode m = rollback(g, T1);
    assertTrue(m.path("findings").toString().contains("changed-since"), m.toString());
    assertEquals(5, s.registry.get(Reg.tlsEnabled("1.2")));
  }

  @Test
  void force_overwrites_a_value_changed_since_the_run() {
    GuestRuntime g = GuestCatalog.create("web-01", "tls-disabled", NOW);
    bundle(g, NOW, RUN, "enable-tls-server");
    GuestState s = ((WindowsGuest) g).state();
    s.registry.put(Reg.tlsEnabled("1.2"), 5);
    Map<String, String> forced = new java.util.HashMap<>(RUN);
    forced.put("Force", "true");
    JsonNode m = marker(g.runPowerShell(Scripts.template("rollback"), forced, T1));
    assertFalse(m.path("findings").toString().contains("changed-since"), m.toString());
    assertEquals(0, s.registry.get(Reg.tlsEnabled("1.2")));
  }

  @Test
  void a_rolled_back_run_is_marked_on_the_vm_and_never_replayed() {
    GuestRuntime g = GuestCatalog.create("web-01", "rdp-disabled", NOW);
    bundle(g, NOW, RUN, "enable-remote-connections");
    assertEquals("changed", rollback(g, T1).path("status").asText());
    GuestState s = ((WindowsGuest) g).state();
    assertTrue(s.files.containsKey(StepRun.BACKUP_ROOT + Scripts.RUN_ID + "\\rolledback.json"));
    // Someone repairs by hand after the rollback: a second rollback of the same run must not undo that.
    s.registry.put(Reg.DENY, 0);
    JsonNode again = rollback(g, T2);
    assertEquals("noop", again.path("status").asText(), again.toString());
    assertTrue(again.path("findings").toString().contains("already-rolled-back"), again.toString());
    assertEquals(0, s.registry.get(Reg.DENY));
  }

  @Test
  void an_injected_journal_line_is_refused_and_the_rest_is_restored() {
    GuestRuntime g = GuestCatalog.create("web-01", "rdp-disabled", NOW);
    bundle(g, NOW, RUN, "enable-remote-connections");
    GuestState s = ((WindowsGuest) g).state();
    String journal = StepRun.BACKUP_ROOT + Scripts.RUN_ID + "\\journal.jsonl";
    String run = "HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Run\\evil";
    s.files.merge(journal, "{\"t\":\"2026-11-23T05:00:01Z\",\"step\":\"enable-remote-connections\",\"op\":\"reg-set\","
        + "\"path\":\"HKLM:\\\\SOFTWARE\\\\Microsoft\\\\Windows\\\\CurrentVersion\\\\Run\",\"name\":\"evil\","
        + "\"keyExisted\":true,\"existed\":true,\"kind\":\"String\",\"before\":\"C:\\\\evil.exe\",\"after\":null}\n"
        + "{\"t\":\"2026-11-23T05:00:02Z\",\"step\":\"x\",\"op\":\"copy-file\",\"from\":\"C:\\\\a\",\"to\":\"C:\\\\b\"}\n",
        String::concat);
    JsonNode m = rollback(g, T1);
    assertEquals(null, s.registry.get(run), "the injected Run value is not written");
    String findings = m.path("findings").toString();
    assertTrue(findings.contains("journal-entry-refused") && findings.contains("reg-set")
        && findings.contains("copy-file"), m.toString());
    assertEquals(1, diagnose(g, T1).path("registry").path("fDenyTSConnections").asInt(), "the real entry is restored");
  }

  @Test
  void list_runs_shows_each_run_newest_first_with_its_state() {
    GuestRuntime g = GuestCatalog.create("web-01", "rdp-disabled", NOW);
    String first = "20261123T050000Z-aaaaaa";
    String second = "20261123T051000Z-bbbbbb";
    bundle(g, NOW, Map.of("RunId", first), "enable-remote-connections");
    marker(g.runPowerShell(Scripts.template("rollback"), Map.of("RunId", first), T1));
    bundle(g, T2, Map.of("RunId", second), "enable-remote-connections");
    GuestState s = ((WindowsGuest) g).state();
    // A third run that stopped midway: a journal without the runner's end entry.
    s.files.put(StepRun.BACKUP_ROOT + "20261123T052000Z-cccccc\\journal.jsonl",
        "{\"t\":\"2026-11-23T05:20:01Z\",\"step\":\"enable-tls-server\",\"op\":\"reg-set\"}\nnot json\n");
    JsonNode m = marker(g.runPowerShell(Scripts.template("list-runs"), Map.of(), T3));
    assertEquals("ok", m.path("status").asText(), m.toString());
    JsonNode runs = m.path("runs");
    assertEquals(3, runs.size(), m.toString());
    assertEquals("20261123T052000Z-cccccc", runs.get(0).path("id").asText());
    assertEquals("interrupted", runs.get(0).path("state").asText());
    assertEquals(1, runs.get(0).path("bad").asInt());
    assertEquals(second, runs.get(1).path("id").asText());
    assertEquals("complete", runs.get(1).path("state").asText());
    assertEquals(first, runs.get(2).path("id").asText());
    assertEquals("rolled-back", runs.get(2).path("state").asText());
    assertTrue(runs.get(2).path("n").asInt() >= 1);
    assertEquals("enable-remote-connections reg-set", runs.get(2).path("ops").get(0).asText());
  }
}
