package dev.azrdpfix.simulator.guest;

import static dev.azrdpfix.simulator.guest.GuestTestSupport.NOW;
import static dev.azrdpfix.simulator.guest.GuestTestSupport.assertClean;
import static dev.azrdpfix.simulator.guest.GuestTestSupport.bundle;
import static dev.azrdpfix.simulator.guest.GuestTestSupport.diagnose;
import static dev.azrdpfix.simulator.guest.GuestTestSupport.step;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.azrdpfix.simulator.rdp.RdpBehaviour.Mode;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The repair path of every fault through the real shipped template texts: bundle, restart (and reapply where the
 * agent needs it), then the listener is healthy and diagnose finds nothing left; a second run changes nothing.
 */
class RepairPathTest {
  private static final Instant LATER = NOW.plus(Duration.ofMinutes(3));
  private static final Map<String, String> RUN = Map.of("RunId", Scripts.RUN_ID);

  private static Map<String, String> withThumbprints(String tp) {
    return Map.of("RunId", Scripts.RUN_ID, "Thumbprints", tp);
  }

  @Test
  void headline_acl_reset_certificate_removal_and_restart_bring_rdp_back() {
    GuestRuntime g = GuestCatalog.create("web-01", "headline", NOW);
    String old = diagnose(g, NOW).path("certs").get(0).path("tp").asText();

    JsonNode m = bundle(g, NOW, withThumbprints(old), "reset-machinekeys-acl", "remove-rdp-certificates",
        "restart-rdp-services");
    assertEquals("changed", m.path("status").asText(), m.toString());
    JsonNode acl = step(m, "reset-machinekeys-acl");
    assertEquals(Acl.BROKEN_MACHINEKEYS_SDDL, acl.path("changes").get(0).path("before").asText());
    // Folder only: its SDDL is saved, the default entries are added, nothing is taken away.
    assertTrue(acl.path("backups").toString().contains("machinekeys.sddl"));
    assertTrue(acl.path("changes").get(0).path("after").asText().startsWith(Acl.BROKEN_MACHINEKEYS_SDDL));
    JsonNode removed = step(m, "remove-rdp-certificates");
    assertEquals("deleted", removed.path("changes").get(0).path("after").asText());
    assertTrue(removed.path("changes").get(0).path("before").asText().startsWith("expired"));
    assertTrue(removed.path("backups").get(0).asText()
        .equals("C:\\ProgramData\\azrdpfix\\backup\\" + Scripts.RUN_ID + "\\rdp-" + old + ".cer"));
    assertEquals("changed", step(m, "restart-rdp-services").path("status").asText());
    // The TermService restart already let Windows issue a fresh certificate.
    assertEquals(Mode.HEALTHY_NLA, g.rdpBehaviour(NOW).mode());

    g.restart(LATER);
    assertEquals(Mode.HEALTHY_NLA, g.rdpBehaviour(LATER).mode());
    JsonNode f = diagnose(g, LATER);
    assertClean(f, LATER);
    JsonNode fresh = f.path("certs").get(0);
    assertNotEquals(old, fresh.path("tp").asText());
    assertEquals("CN=web-01", fresh.path("subject").asText());
    Instant notAfter = Instant.parse(fresh.path("notAfter").asText());
    assertTrue(notAfter.isAfter(NOW.plus(Duration.ofDays(180))) && notAfter.isBefore(NOW.plus(Duration.ofDays(185))),
        "Windows issues six months: " + notAfter);
    assertTrue(f.path("machineKeys").path("grantsOk").asBoolean());
  }

  @Test
  void removing_the_certificate_while_machinekeys_is_broken_fails_the_restart_check_and_logs_1057_again() {
    GuestRuntime g = GuestCatalog.create("web-01", "headline", NOW);
    JsonNode before = diagnose(g, NOW);
    String old = before.path("certs").get(0).path("tp").asText();
    JsonNode m = bundle(g, NOW, withThumbprints(old), "remove-rdp-certificates", "restart-rdp-services");
    // The restart step checks its own result: Windows could not issue a certificate, so it says so.
    assertEquals("failed", m.path("status").asText(), m.toString());
    JsonNode restart = step(m, "restart-rdp-services");
    assertTrue(restart.path("findings").toString().contains("no-valid-certificate"), restart.toString());
    JsonNode f = diagnose(g, NOW);
    assertEquals(0, f.path("certCount").asInt(), "no certificate could be issued");
    assertEquals(before.path("events").path("1057").asInt() + 1, f.path("events").path("1057").asInt());
    assertEquals(Mode.CLOSE_AFTER_CLIENT_HELLO, g.rdpBehaviour(NOW).mode());
    g.restart(LATER);
    assertEquals(Mode.CLOSE_AFTER_CLIENT_HELLO, g.rdpBehaviour(LATER).mode());
  }

  @Test
  void expired_certificate_is_replaced_once_deleted() {
    GuestRuntime g = GuestCatalog.create("web-01", "expired-cert", NOW);
    String old = diagnose(g, NOW).path("certs").get(0).path("tp").asText();
    JsonNode m = bundle(g, NOW, withThumbprints(old), "remove-rdp-certificates", "restart-rdp-services");
    assertEquals("changed", m.path("status").asText());
    g.restart(LATER);
    JsonNode f = diagnose(g, LATER);
    assertClean(f, LATER);
    assertEquals(1, f.path("certCount").asInt());
    assertNotEquals(old, f.path("certs").get(0).path("tp").asText());
  }

  @Test
  void a_broken_key_file_gets_only_its_missing_entries_and_the_valid_certificate_is_kept_without_a_reboot() {
    GuestRuntime g = GuestCatalog.create("web-01", "machinekeys", NOW);
    JsonNode before = diagnose(g, NOW);
    String tp = before.path("rdpKey").path("tp").asText();
    assertEquals("wmi", before.path("rdpKey").path("source").asText());
    assertTrue(before.path("rdpKey").path("missing").toString().contains(Acl.NETWORK_SERVICE), before.toString());
    JsonNode m = bundle(g, NOW, Map.of("RunId", Scripts.RUN_ID, "Thumbprint", tp), "reset-machinekeys-acl",
        "repair-rdp-key-acl", "restart-rdp-services");
    assertEquals("changed", m.path("status").asText(), m.toString());
    JsonNode key = step(m, "repair-rdp-key-acl");
    assertEquals(Acl.BROKEN_KEY_SDDL, key.path("changes").get(0).path("before").asText());
    assertTrue(key.path("backups").get(0).asText().endsWith("\\rdp-key-" + tp + ".sddl"));
    // The services restart is enough: no VM restart.
    assertEquals(Mode.HEALTHY_NLA, g.rdpBehaviour(NOW).mode());
    JsonNode f = diagnose(g, NOW);
    assertClean(f, NOW);
    assertEquals(tp, f.path("certs").get(0).path("tp").asText());
    assertEquals(0, f.path("rdpKey").path("missing").size(), f.toString());
    // Build 20348: NT SERVICE\SessionEnv full control, not Administrators read.
    assertTrue(f.path("rdpKey").path("sddl").asText().contains(Acl.SESSION_ENV));
  }

  @Test
  void a_key_file_under_a_default_folder_is_repaired_alone_per_build() {
    GuestRuntime g = GuestCatalog.create("web-01", "key-file-acl", NOW);
    JsonNode before = diagnose(g, NOW);
    assertTrue(before.path("machineKeys").path("isDefault").asBoolean());
    assertEquals("[\"" + Acl.NETWORK_SERVICE + "\"]", before.path("rdpKey").path("missing").toString());
    String tp = before.path("rdpKey").path("tp").asText();
    JsonNode m = bundle(g, NOW, Map.of("RunId", Scripts.RUN_ID, "Thumbprint", tp), "repair-rdp-key-acl",
        "restart-rdp-services");
    assertEquals("changed", m.path("status").asText(), m.toString());
    JsonNode f = diagnose(g, NOW);
    assertClean(f, NOW);
    assertEquals(before.path("machineKeys").path("sddl"), f.path("machineKeys").path("sddl"), "folder untouched");
    // A second run changes nothing.
    JsonNode again = bundle(g, NOW, Map.of("RunId", "20261123T051000Z-abc123", "Thumbprint", tp), "repair-rdp-key-acl");
    assertEquals("noop", again.path("status").asText(), again.toString());
  }

  @Test
  void on_build_14393_the_third_entry_is_administrators_read() {
    GuestRuntime g = GuestCatalog.create("web-01", "key-file-acl", NOW);
    GuestState s = ((WindowsGuest) g).state();
    s.osBuild = "14393";
    String file = s.certs.get(0).keyFile;
    s.machineKeys.keyFileSddl.put(file, "O:SYG:SYD:(A;;FA;;;SY)");
    JsonNode before = diagnose(g, NOW);
    assertEquals("[\"" + Acl.NETWORK_SERVICE + "\",\"" + Acl.ADMINISTRATORS + "\"]",
        before.path("rdpKey").path("missing").toString());
    bundle(g, NOW, Map.of("RunId", Scripts.RUN_ID, "Thumbprint", s.certs.get(0).thumbprint), "repair-rdp-key-acl");
    assertEquals("O:SYG:SYD:(A;;FA;;;SY)(A;;FR;;;NS)(A;;FR;;;BA)", s.machineKeys.keyFileSddl.get(file));
  }

  @Test
  void corrupt_machinekeys_need_the_rename_and_a_reapply() {
    GuestRuntime g = GuestCatalog.create("web-01", "machinekeys-corrupt-acl", NOW);
    String tp = diagnose(g, NOW).path("certs").get(0).path("tp").asText();

    // First the targeted fix: folder and key file entries; the key still does not open.
    JsonNode first = bundle(g, NOW, Map.of("RunId", Scripts.RUN_ID, "Thumbprint", tp), "reset-machinekeys-acl",
        "repair-rdp-key-acl", "restart-rdp-services");
    assertEquals("changed", step(first, "reset-machinekeys-acl").path("status").asText());
    assertEquals("changed", step(first, "repair-rdp-key-acl").path("status").asText(), first.toString());
    g.restart(NOW.plusSeconds(60));
    assertEquals(Mode.CLOSE_AFTER_CLIENT_HELLO, g.rdpBehaviour(NOW.plusSeconds(60)).mode());
    JsonNode after = diagnose(g, NOW.plusSeconds(60));
    assertTrue(after.path("machineKeys").path("grantsOk").asBoolean());
    assertTrue(after.path("machineKeys").path("corrupt").asBoolean(), "now diagnose can tell: " + after);

    // The escalation, in a second run.
    String run2 = "20261123T051000Z-abc123";
    JsonNode m = bundle(g, LATER, Map.of("RunId", run2, "Thumbprints", tp), "rename-machinekeys",
        "remove-rdp-certificates", "restart-rdp-services");
    assertEquals("changed", m.path("status").asText(), m.toString());
    JsonNode rename = step(m, "rename-machinekeys");
    assertEquals("C:\\ProgramData\\Microsoft\\Crypto\\RSA\\MachineKeys.azrdpfix-" + run2,
        rename.path("backups").get(0).asText());
    assertEquals("reapply-needed", rename.path("findings").get(0).path("id").asText());
    assertTrue(g.agentReady(), "the agent notices only at the next restart");

    g.restart(LATER.plusSeconds(60));
    assertEquals(Mode.HEALTHY_NLA, g.rdpBehaviour(LATER.plusSeconds(60)).mode());
    assertFalse(g.agentReady(), "its transport key went with the old folder");
    g.reapply(LATER.plusSeconds(120));
    assertTrue(g.agentReady());
    JsonNode f = diagnose(g, LATER.plusSeconds(120));
    assertClean(f, LATER);
    assertTrue(f.path("machineKeys").path("isDefault").asBoolean());
  }

  @Test
  void stopped_and_disabled_termservice_is_set_to_manual_and_started() {
    GuestRuntime g = GuestCatalog.create("web-01", "termservice-stopped", NOW);
    JsonNode m = bundle(g, NOW, RUN, "restart-rdp-services");
    JsonNode s = step(m, "restart-rdp-services");
    assertEquals("TermService start type", s.path("changes").get(0).path("what").asText());
    assertEquals("Disabled", s.path("changes").get(0).path("before").asText());
    assertEquals("Manual", s.path("changes").get(0).path("after").asText());
    assertEquals(Mode.HEALTHY_NLA, g.rdpBehaviour(NOW).mode());
    g.restart(LATER);
    assertEquals(Mode.HEALTHY_NLA, g.rdpBehaviour(LATER).mode());
    assertClean(diagnose(g, LATER), LATER);
  }

  @Test
  void rdp_disabled_is_enabled_without_restart() {
    GuestRuntime g = GuestCatalog.create("web-01", "rdp-disabled", NOW);
    JsonNode s = step(bundle(g, NOW, RUN, "enable-remote-connections"), "enable-remote-connections");
    assertEquals("Terminal Server\\fDenyTSConnections", s.path("changes").get(0).path("what").asText());
    assertEquals("1", s.path("changes").get(0).path("before").asText());
    assertTrue(s.path("backups").get(0).asText().endsWith("\\enable-remote-connections-Terminal_Server.reg"));
    assertEquals(Mode.HEALTHY_NLA, g.rdpBehaviour(NOW).mode());
    assertClean(diagnose(g, NOW), NOW);
  }

  @Test
  void the_other_switches_are_set_back_and_journaled() {
    GuestRuntime g = GuestCatalog.create("web-01", "healthy", NOW);
    GuestState s = ((WindowsGuest) g).state();
    s.registry.put(Reg.TS_ENABLED, 0);
    s.registry.put(Reg.LOGON_DISABLED, 1);
    assertEquals(Mode.REFUSED, g.rdpBehaviour(NOW).mode());
    JsonNode st = step(bundle(g, NOW, RUN, "enable-remote-connections"), "enable-remote-connections");
    assertEquals(2, st.path("changes").size(), st.toString());
    assertEquals(Mode.HEALTHY_NLA, g.rdpBehaviour(NOW).mode());
    assertEquals(1, diagnose(g, NOW).path("registry").path("TSEnabled").asInt());
    assertEquals(0, diagnose(g, NOW).path("registry").path("fLogonDisabled").asInt());
  }

  @Test
  void a_gpo_value_is_reported_not_fought() {
    GuestRuntime g = GuestCatalog.create("web-01", "gpo-rdp-disabled", NOW);
    JsonNode s = step(bundle(g, NOW, RUN, "enable-remote-connections"), "enable-remote-connections");
    assertEquals("noop", s.path("status").asText());
    assertEquals("gpo-controls-value", s.path("findings").get(0).path("id").asText());
    assertEquals(Mode.REFUSED, g.rdpBehaviour(NOW).mode());
  }

  @Test
  void firewall_rules_are_enabled_after_an_export() {
    GuestRuntime g = GuestCatalog.create("web-01", "firewall", NOW);
    JsonNode s = step(bundle(g, NOW, RUN, "enable-rdp-firewall-rules"), "enable-rdp-firewall-rules");
    // Only the user-mode TCP and UDP rules RDP needs; Shadow stays off and is reported.
    assertEquals(2, s.path("changes").size());
    assertEquals("other-rules-left-off", s.path("findings").get(0).path("id").asText());
    assertTrue(s.path("backups").get(0).asText().endsWith("\\firewall.wfw"));
    assertEquals(Mode.HEALTHY_NLA, g.rdpBehaviour(NOW).mode());
    assertClean(diagnose(g, NOW), NOW);
  }

  @Test
  void tls_12_comes_back_only_after_a_restart() {
    GuestRuntime g = GuestCatalog.create("web-01", "tls-disabled", NOW);
    JsonNode s = step(bundle(g, NOW, RUN, "enable-tls-server"), "enable-tls-server");
    assertEquals("Server\\Enabled", s.path("changes").get(0).path("what").asText());
    assertEquals(Mode.TLS_ALERT, g.rdpBehaviour(NOW).mode(), "SCHANNEL reads its settings at boot");
    g.restart(LATER);
    assertEquals(Mode.HEALTHY_NLA, g.rdpBehaviour(LATER).mode());
    JsonNode f = diagnose(g, LATER);
    assertClean(f, LATER);
    assertEquals(0, f.path("tls").path("1.0").asInt(), "TLS 1.0 stays off");
  }

  @Test
  void resync_time_removes_the_skew() {
    GuestRuntime g = GuestCatalog.create("web-01", "clock-skew", NOW);
    JsonNode s = step(bundle(g, NOW, RUN, "resync-time"), "resync-time");
    assertEquals("changed", s.path("status").asText());
    assertEquals(Duration.ZERO, g.rdpBehaviour(NOW).clockSkew());
    JsonNode f = diagnose(g, NOW);
    assertEquals(NOW, Instant.parse(f.path("time").asText()));
    assertEquals("Running", f.path("services").path("w32time").path("state").asText());
  }

  @Test
  void a_binding_to_a_missing_certificate_is_cleared_and_windows_falls_back_to_its_own() {
    var state = (com.fasterxml.jackson.databind.node.ObjectNode) GuestCatalog.create("web-01", "healthy", NOW).toJson();
    String gone = "0123456789ABCDEF0123456789ABCDEF01234567";
    ((com.fasterxml.jackson.databind.node.ObjectNode) state.path("registry")).put(Reg.BINDING, gone);
    GuestRuntime g = GuestCatalog.restore(state);
    g.restart(NOW);
    assertEquals(Mode.NEG_FAILURE_CERT_NOT_ON_SERVER, g.rdpBehaviour(NOW).mode());
    JsonNode f = diagnose(g, NOW);
    assertEquals(gone, f.path("binding").path("tp").asText());
    assertFalse(f.path("binding").path("found").asBoolean());

    JsonNode m = bundle(g, NOW, Map.of("RunId", Scripts.RUN_ID, "Thumbprint", gone), "clear-stale-binding",
        "restart-rdp-services");
    JsonNode s = step(m, "clear-stale-binding");
    assertEquals("RDP-Tcp\\SSLCertificateSHA1Hash", s.path("changes").get(0).path("what").asText());
    assertEquals("removed", s.path("changes").get(0).path("after").asText());
    assertEquals(Mode.HEALTHY_NLA, g.rdpBehaviour(NOW).mode());
    assertClean(diagnose(g, NOW), NOW);
  }

  @Test
  void a_second_run_of_the_same_repair_changes_nothing() {
    GuestRuntime g = GuestCatalog.create("web-01", "headline", NOW);
    String old = diagnose(g, NOW).path("certs").get(0).path("tp").asText();
    String[] steps = {"reset-machinekeys-acl", "remove-rdp-certificates", "enable-remote-connections",
        "enable-rdp-firewall-rules", "enable-tls-server", "clear-stale-binding"};
    Map<String, String> p = Map.of("RunId", Scripts.RUN_ID, "Thumbprints", old, "Thumbprint", old);
    JsonNode first = bundle(g, NOW, p, steps);
    assertEquals("changed", first.path("status").asText());
    JsonNode factsAfterFirst = GuestTestSupport.configuration(diagnose(g, NOW));
    JsonNode second = bundle(g, NOW, p, steps);
    assertEquals("noop", second.path("status").asText(), second.toString());
    for (JsonNode s : second.path("steps")) {
      assertEquals(0, s.path("changes").size(), s.toString());
    }
    assertEquals(factsAfterFirst, GuestTestSupport.configuration(diagnose(g, NOW)));
  }
}
