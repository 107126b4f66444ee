package dev.azrdpfix.simulator.guest;

import static dev.azrdpfix.simulator.guest.GuestTestSupport.NOW;
import static dev.azrdpfix.simulator.guest.GuestTestSupport.bundle;
import static dev.azrdpfix.simulator.guest.GuestTestSupport.diagnose;
import static dev.azrdpfix.simulator.guest.GuestTestSupport.marker;
import static dev.azrdpfix.simulator.guest.GuestTestSupport.step;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.azrdpfix.simulator.rdp.RdpBehaviour.Mode;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The cases issue 8 adds to the simulated guest, each through the shipped template texts: a hung TermService, a
 * pinned certificate, signed-in sessions, a backup folder someone else created, a step failing midway, and a
 * best-effort step failing while the critical ones still run.
 */
class GuestSafetyTest {
  private static final Map<String, String> RUN = Map.of("RunId", Scripts.RUN_ID);
  private static final Instant LATER = NOW.plus(Duration.ofMinutes(3));

  @Test
  void a_hung_termservice_is_reported_with_its_state_and_pid_instead_of_waited_for() {
    GuestRuntime g = GuestCatalog.create("web-01", "termservice-hung", NOW);
    JsonNode f = diagnose(g, NOW);
    assertEquals("StartPending", f.path("services").path("TermService").path("state").asText());
    assertEquals(2, f.path("events").path("7022").asInt());
    JsonNode m = bundle(g, NOW, RUN, "restart-rdp-services");
    assertEquals("failed", m.path("status").asText(), m.toString());
    String error = step(m, "restart-rdp-services").path("error").asText();
    assertTrue(error.contains("StartPending") && error.contains("PID 4242"), error);
    assertTrue(error.contains("VM restart"), "says what clears it: " + error);
    // Nothing was stopped or journaled as restarted: the step gave up before touching the hung service.
    String journal = ((WindowsGuest) g).state().files.get(StepRun.BACKUP_ROOT + Scripts.RUN_ID + "\\journal.jsonl");
    assertTrue(journal == null || !journal.contains("service-restart"), journal);
    // A VM restart through Azure is the remedy.
    g.restart(LATER);
    assertEquals(Mode.HEALTHY_NLA, g.rdpBehaviour(LATER).mode());
  }

  @Test
  void a_certificate_the_listener_binding_pins_is_unpinned_first_journaled_and_rolled_back_together() {
    GuestRuntime g = GuestCatalog.create("web-01", "pinned-cert", NOW);
    JsonNode f = diagnose(g, NOW);
    String tp = f.path("binding").path("tp").asText();
    assertEquals(tp, f.path("rdpKey").path("tp").asText(), "the listener uses the pinned certificate");
    JsonNode m = bundle(g, NOW, Map.of("RunId", Scripts.RUN_ID, "Thumbprints", tp), "remove-rdp-certificates",
        "restart-rdp-services");
    assertEquals("changed", m.path("status").asText(), m.toString());
    JsonNode removed = step(m, "remove-rdp-certificates");
    assertEquals("RDP-Tcp\\SSLCertificateSHA1Hash", removed.path("changes").get(0).path("what").asText());
    assertEquals("removed", removed.path("changes").get(0).path("after").asText());
    assertEquals("deleted", removed.path("changes").get(1).path("after").asText());
    String journal = ((WindowsGuest) g).state().files.get(StepRun.BACKUP_ROOT + Scripts.RUN_ID + "\\journal.jsonl");
    assertTrue(journal.indexOf("\"op\":\"reg-remove\"") < journal.indexOf("\"op\":\"cert-remove\""), journal);
    assertEquals(Mode.HEALTHY_NLA, g.rdpBehaviour(NOW).mode());
    JsonNode after = diagnose(g, NOW);
    assertTrue(after.path("binding").path("tp").isNull());

    JsonNode rb = marker(g.runPowerShell(Scripts.template("rollback"), RUN, LATER));
    assertEquals("changed", rb.path("status").asText(), rb.toString());
    JsonNode back = diagnose(g, LATER);
    assertEquals(tp, back.path("binding").path("tp").asText(), "the pin comes back with its certificate");
    assertTrue(back.path("binding").path("found").asBoolean());
  }

  @Test
  void signed_in_sessions_are_counted_and_a_termservice_restart_ends_them() {
    GuestRuntime g = GuestCatalog.create("web-01", "active-sessions", NOW);
    assertEquals(2, diagnose(g, NOW).path("sessions").asInt());
    String tp = diagnose(g, NOW).path("certs").get(0).path("tp").asText();
    bundle(g, NOW, Map.of("RunId", Scripts.RUN_ID, "Thumbprints", tp), "remove-rdp-certificates",
        "restart-rdp-services");
    assertEquals(0, diagnose(g, NOW).path("sessions").asInt());
  }

  @Test
  void a_backup_folder_someone_else_created_is_refused_and_nothing_changes() {
    GuestRuntime g = GuestCatalog.create("web-01", "backup-squatted", NOW);
    JsonNode before = GuestTestSupport.configuration(diagnose(g, NOW));
    String tp = diagnose(g, NOW).path("certs").get(0).path("tp").asText();
    JsonNode m = bundle(g, NOW, Map.of("RunId", Scripts.RUN_ID, "Thumbprints", tp), "remove-rdp-certificates",
        "restart-rdp-services");
    assertEquals("failed", m.path("status").asText(), m.toString());
    JsonNode s = step(m, "remove-rdp-certificates");
    assertTrue(s.path("error").asText().contains("refusing to write backups there"), s.toString());
    assertEquals(0, s.path("changes").size());
    assertEquals(1, m.path("steps").size(), "the restart did not run");
    assertEquals(before, GuestTestSupport.configuration(diagnose(g, NOW)));
    assertTrue(((WindowsGuest) g).state().files.keySet().stream().noneMatch(p -> p.startsWith(StepRun.BACKUP_ROOT)));
  }

  @Test
  void a_step_that_fails_midway_stops_the_bundle_and_rollback_undoes_its_first_change() {
    GuestRuntime g = GuestCatalog.create("web-01", "fails-midway", NOW);
    JsonNode before = GuestTestSupport.configuration(diagnose(g, NOW));
    JsonNode m = bundle(g, NOW, RUN, "enable-rdp-firewall-rules", "restart-rdp-services");
    assertEquals("failed", m.path("status").asText());
    JsonNode s = step(m, "enable-rdp-firewall-rules");
    assertEquals("failed", s.path("status").asText());
    assertEquals(1, s.path("changes").size(), "one change was made before the failure: " + s);
    assertEquals(1, m.path("steps").size());
    assertTrue(m.path("error").asText().startsWith("step enable-rdp-firewall-rules failed"));

    JsonNode rb = marker(g.runPowerShell(Scripts.template("rollback"), RUN, LATER));
    assertEquals("changed", rb.path("status").asText(), rb.toString());
    assertEquals(before, GuestTestSupport.configuration(diagnose(g, LATER)));
  }

  @Test
  void a_failed_best_effort_step_is_a_warning_and_the_critical_steps_still_run() {
    GuestRuntime g = GuestCatalog.create("web-01", "clock-skew", NOW);
    ((WindowsGuest) g).state().failsMidway = "resync-time";
    ((WindowsGuest) g).state().registry.put(Reg.DENY, 1);
    JsonNode m = bundle(g, NOW, RUN, "resync-time", "enable-remote-connections");
    assertEquals("changed", m.path("status").asText(), m.toString());
    assertNull(m.path("error").textValue());
    JsonNode time = step(m, "resync-time");
    assertEquals("failed", time.path("status").asText());
    assertFalse(time.path("critical").asBoolean());
    assertTrue(time.path("findings").toString().contains("time-not-synced"));
    assertEquals("changed", step(m, "enable-remote-connections").path("status").asText());
    assertTrue(step(m, "enable-remote-connections").path("critical").asBoolean());
    assertTrue(m.path("warnings").get(0).asText().startsWith("best-effort step resync-time failed"), m.toString());
  }

  @Test
  void a_failed_critical_step_still_stops_the_bundle() {
    GuestRuntime g = GuestCatalog.create("web-01", "termservice-hung", NOW);
    ((WindowsGuest) g).state().registry.put(Reg.DENY, 1);
    JsonNode m = bundle(g, NOW, RUN, "restart-rdp-services", "disable-nla");
    assertEquals("failed", m.path("status").asText());
    assertEquals(1, m.path("steps").size());
    assertEquals(0, m.path("warnings").size());
  }

  @Test
  void a_bundle_that_marks_a_critical_step_best_effort_is_not_a_shipped_bundle() {
    GuestRuntime g = GuestCatalog.create("web-01", "rdp-disabled", NOW);
    java.util.List<String> lines = new java.util.ArrayList<>(Scripts.bundle("enable-remote-connections"));
    int at = lines.indexOf("$azrdpfixSteps.Add(@{ Id = 'enable-remote-connections'; Critical = $true; Block = {");
    assertTrue(at > 0, "the composer marks the step critical, as the manifest says");
    lines.set(at, "$azrdpfixSteps.Add(@{ Id = 'enable-remote-connections'; Critical = $false; Block = {");
    GuestRuntime.RunOutput out = g.runPowerShell(lines, RUN, NOW);
    assertFalse(GuestTestSupport.hasMarker(out), out.stdout());
    assertTrue(out.stderr().contains("AzrdpfixSimulatorUnknownScript"), out.stderr());
  }
}
