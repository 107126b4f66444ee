package dev.azrdpfix.simulator.guest;

import static dev.azrdpfix.simulator.guest.GuestTestSupport.NOW;
import static dev.azrdpfix.simulator.guest.GuestTestSupport.assertClean;
import static dev.azrdpfix.simulator.guest.GuestTestSupport.diagnose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.azrdpfix.simulator.rdp.RdpBehaviour;
import dev.azrdpfix.simulator.rdp.RdpBehaviour.Mode;
import dev.azrdpfix.simulator.rdp.SelfSignedCertificates;
import java.io.ByteArrayInputStream;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Each catalogue fault as diagnose sees it and as the RDP listener plays it, before any repair. */
class FaultCatalogTest {

  private static JsonNode facts(String fault) {
    return diagnose(GuestCatalog.create("web-01", fault, NOW), NOW);
  }

  private static Mode mode(String fault) {
    return GuestCatalog.create("web-01", fault, NOW).rdpBehaviour(NOW).mode();
  }

  @Test
  void healthy_guest_serves_a_valid_self_signed_certificate_with_nla() throws Exception {
    GuestRuntime g = GuestCatalog.create("web-01", "healthy", NOW);
    RdpBehaviour b = g.rdpBehaviour(NOW);
    assertEquals(Mode.HEALTHY_NLA, b.mode());
    assertEquals("web-01", b.computerName());
    assertEquals(Duration.ZERO, b.clockSkew());
    X509Certificate served = (X509Certificate) CertificateFactory.getInstance("X.509")
        .generateCertificate(new ByteArrayInputStream(b.certificateDer()));
    served.checkValidity(java.util.Date.from(NOW));
    assertEquals("CN=web-01", served.getSubjectX500Principal().getName());
    JsonNode f = diagnose(g, NOW);
    assertClean(f, NOW);
    assertEquals(SelfSignedCertificates.thumbprint(b.certificateDer()), f.path("certs").get(0).path("tp").asText());
    assertTrue(f.path("machineKeys").path("isDefault").asBoolean());
    assertEquals(0, f.path("events").path("36870").asInt());
    assertTrue(g.agentReady());
  }

  @Test
  void headline_is_an_expired_certificate_whose_key_network_service_cannot_read() {
    JsonNode f = facts("headline");
    JsonNode cert = f.path("certs").get(0);
    assertTrue(Instant.parse(cert.path("notAfter").asText()).isBefore(NOW));
    assertTrue(cert.path("hasKey").asBoolean());
    assertFalse(cert.path("keyReadable").asBoolean());
    assertEquals("Remote Desktop", cert.path("store").asText());
    assertFalse(f.path("machineKeys").path("isDefault").asBoolean());
    assertFalse(f.path("machineKeys").path("grantsOk").asBoolean());
    assertFalse(f.path("machineKeys").path("rdpKeyReadable").asBoolean());
    assertFalse(f.path("machineKeys").path("corrupt").asBoolean(), "SYSTEM can still open the key");
    assertEquals(2, f.path("events").path("1057").asInt());
    assertEquals(3, f.path("events").path("1058").asInt());
    assertEquals(12, f.path("events").path("36870").asInt());
    assertTrue(f.path("binding").path("tp").isNull());
    assertEquals(Mode.CLOSE_AFTER_CLIENT_HELLO, mode("headline"));
  }

  @Test
  void every_failed_handshake_logs_schannel_36870_like_windows() {
    GuestRuntime g = GuestCatalog.create("web-01", "machinekeys", NOW);
    int before = diagnose(g, NOW).path("events").path("36870").asInt();
    g.rdpBehaviour(NOW);
    g.rdpBehaviour(NOW);
    assertEquals(before + 2, diagnose(g, NOW).path("events").path("36870").asInt());
  }

  @Test
  void expired_cert_alone_is_served_expired_over_a_working_handshake() throws Exception {
    GuestRuntime g = GuestCatalog.create("web-01", "expired-cert", NOW);
    RdpBehaviour b = g.rdpBehaviour(NOW);
    assertEquals(Mode.HEALTHY_NLA, b.mode());
    X509Certificate served = (X509Certificate) CertificateFactory.getInstance("X.509")
        .generateCertificate(new ByteArrayInputStream(b.certificateDer()));
    assertTrue(served.getNotAfter().toInstant().isBefore(NOW));
    JsonNode f = diagnose(g, NOW);
    assertTrue(f.path("certs").get(0).path("keyReadable").asBoolean());
    assertEquals(3, f.path("events").path("1058").asInt());
    assertTrue(f.path("machineKeys").path("isDefault").asBoolean());
  }

  @Test
  void expired_cert_survives_a_restart_because_windows_cannot_replace_it() {
    GuestRuntime g = GuestCatalog.create("web-01", "expired-cert", NOW);
    String tp = diagnose(g, NOW).path("certs").get(0).path("tp").asText();
    g.restart(NOW);
    JsonNode f = diagnose(g, NOW);
    assertEquals(tp, f.path("certs").get(0).path("tp").asText());
    assertEquals(4, f.path("events").path("1058").asInt());
  }

  @Test
  void machinekeys_fault_has_a_valid_certificate_with_an_unreadable_key() {
    JsonNode f = facts("machinekeys");
    assertTrue(Instant.parse(f.path("certs").get(0).path("notAfter").asText()).isAfter(NOW));
    assertFalse(f.path("certs").get(0).path("keyReadable").asBoolean());
    assertEquals(Mode.CLOSE_AFTER_CLIENT_HELLO, mode("machinekeys"));
  }

  @Test
  void corrupt_machinekeys_look_like_an_acl_problem_until_the_acl_is_sound() {
    JsonNode f = facts("machinekeys-corrupt-acl");
    assertFalse(f.path("machineKeys").path("corrupt").asBoolean(), "diagnose cannot tell while the ACL is broken");
    assertFalse(f.path("machineKeys").path("rdpKeyReadable").asBoolean());
    assertEquals(Mode.CLOSE_AFTER_CLIENT_HELLO, mode("machinekeys-corrupt-acl"));
  }

  @Test
  void termservice_stopped_and_disabled_refuses_connections() {
    JsonNode f = facts("termservice-stopped");
    assertEquals("Stopped", f.path("services").path("TermService").path("state").asText());
    assertEquals("Disabled", f.path("services").path("TermService").path("start").asText());
    assertTrue(f.path("listener").path("process").isNull());
    assertEquals(3389, f.path("listener").path("port").asInt());
    assertEquals(Mode.REFUSED, mode("termservice-stopped"));
  }

  @Test
  void rdp_disabled_refuses_connections() {
    assertEquals(1, facts("rdp-disabled").path("registry").path("fDenyTSConnections").asInt());
    assertEquals(Mode.REFUSED, mode("rdp-disabled"));
  }

  @Test
  void firewall_fault_drops_syns() {
    JsonNode fw = facts("firewall").path("firewall");
    for (String p : new String[] {"Domain", "Private", "Public"}) {
      assertFalse(fw.path("rdpRules").path(p).asBoolean(), p);
      assertTrue(fw.path("profiles").path(p).asBoolean(), p);
    }
    assertEquals("Public", fw.path("active").get(0).asText());
    assertEquals(Mode.BLACKHOLE, mode("firewall"));
  }

  @Test
  void tls_disabled_sends_an_alert_and_logs_36871() {
    JsonNode f = facts("tls-disabled");
    assertEquals(0, f.path("tls").path("1.2").asInt());
    assertEquals(0, f.path("tls").path("1.0").asInt());
    assertTrue(f.path("events").path("36871").asInt() > 0);
    assertEquals(Mode.TLS_ALERT, mode("tls-disabled"));
  }

  @Test
  void clock_skew_shows_in_the_guest_time_and_the_ntlm_timestamp_only() {
    GuestRuntime g = GuestCatalog.create("web-01", "clock-skew", NOW);
    JsonNode f = diagnose(g, NOW);
    assertEquals(NOW.plus(Duration.ofHours(2)), Instant.parse(f.path("time").asText()));
    assertEquals("Stopped", f.path("services").path("w32time").path("state").asText());
    RdpBehaviour b = g.rdpBehaviour(NOW);
    assertEquals(Mode.HEALTHY_NLA, b.mode());
    assertEquals(Duration.ofHours(2), b.clockSkew());
  }

  @Test
  void a_gpo_that_denies_rdp_shows_as_a_policy_value() {
    JsonNode f = facts("gpo-rdp-disabled");
    assertEquals(1, f.path("registry").path("policyDenyTSConnections").asInt());
    assertEquals(0, f.path("registry").path("fDenyTSConnections").asInt());
    assertEquals("fDenyTSConnections", f.path("gpo").get(0).asText());
    assertTrue(f.path("domain").path("joined").asBoolean());
    assertEquals(Mode.REFUSED, mode("gpo-rdp-disabled"));
  }

  @Test
  void facts_carry_every_contract_key() {
    JsonNode f = facts("healthy");
    for (String k : new String[] {"time", "os", "domain", "certs", "certCount", "binding", "machineKeys", "services",
        "listener", "registry", "gpo", "tls", "fips", "firewall", "events", "mtu"}) {
      assertTrue(f.has(k), k);
    }
    assertEquals("20348", f.path("os").path("build").asText());
    assertEquals("NT Authority\\NetworkService", f.path("services").path("TermService").path("account").asText());
    assertArrayEquals(new String[] {"1057", "1058", "36870", "36871", "36872", "7022"},
        iterator(f.path("events")));
    assertTrue(f.path("binding").path("found").isNull());
    assertNotNull(f.path("machineKeys").path("sddl").asText(null));
  }

  @Test
  void unknown_fault_is_rejected_with_the_known_ids() {
    var e = assertThrows(IllegalArgumentException.class, () -> GuestCatalog.create("x", "nope", NOW));
    assertTrue(e.getMessage().contains("headline"));
  }

  private static String[] iterator(JsonNode o) {
    java.util.List<String> out = new java.util.ArrayList<>();
    o.fieldNames().forEachRemaining(out::add);
    return out.toArray(new String[0]);
  }
}
