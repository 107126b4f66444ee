package dev.azrdpfix.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.azrdpfix.core.probe.ProbeResult;
import dev.azrdpfix.core.probe.ProbeVerdict;
import dev.azrdpfix.simulator.rdp.FakeRdpServer;
import dev.azrdpfix.simulator.rdp.RdpBehaviour.Mode;
import dev.azrdpfix.simulator.rdp.TestCertificates;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Text and JSON renderings of real probe results. */
class ProbeRenderingTest {

  private static ProbeResult healthy() {
    try (var server = new FakeRdpServer(() -> TestCertificates.behaviour(Mode.HEALTHY_NLA))) {
      return ProbeFixtures.probe(server.port());
    }
  }

  @Test
  void text_tells_the_story_one_line_per_stage_then_the_verdict() {
    ProbeResult r = healthy();
    String text = ProbeText.render(r);
    String[] lines = text.split("\n");

    assertTrue(lines[0].startsWith("Probe of 127.0.0.1:" + r.port() + ": 1 attempt, "), lines[0]);
    assertEquals(1 + 5 + 1, lines.length, text);
    assertTrue(lines[1].matches("  ok +tcp-connect +\\d+ ms  connected to 127\\.0\\.0\\.1:\\d+"), lines[1]);
    assertTrue(lines[3].contains("tls-handshake") && lines[3].contains("TLSv1.3"), lines[3]);
    assertTrue(lines[4].contains(r.certificate().thumbprint()), lines[4]);
    assertTrue(lines[5].contains("NTLM CHALLENGE from web-01") && lines[5].contains("Windows 10.0.20348"), lines[5]);
    assertEquals("Verdict: ok - " + r.summary(), lines[6]);
  }

  @Test
  void failed_probe_text_ends_with_what_to_do_next() {
    try (var server = new FakeRdpServer(() -> TestCertificates.behaviour(Mode.CLOSE_AFTER_CLIENT_HELLO))) {
      String text = ProbeText.render(ProbeFixtures.probe(server.port()));
      assertTrue(text.contains("  FAILED tls-handshake"), text);
      assertTrue(text.contains("Verdict: tls-handshake-failed - "), text);
      assertTrue(text.strip().endsWith("TLS 1.2 server enabled in SCHANNEL)."), text);
    }
  }

  @Test
  void every_verdict_has_a_description_and_every_failure_a_next_step() {
    Set<String> ids = new HashSet<>();
    for (ProbeVerdict v : ProbeVerdict.values()) {
      assertTrue(v.id().matches("[a-z]+(-[a-z]+)*"), v.id());
      assertTrue(ids.add(v.id()));
      assertEquals(v, ProbeVerdict.fromId(v.id()));
      assertFalse(v.description().isBlank());
      assertEquals(v != ProbeVerdict.OK, ProbeText.nextStep(v) != null, v.id());
    }
  }

  @Test
  void plain_object_mapper_serialises_and_reads_back_a_full_result() throws Exception {
    ProbeResult r = healthy();
    ObjectMapper plain = new ObjectMapper();
    JsonNode tree = plain.readTree(plain.writeValueAsString(r));

    assertEquals("OK", tree.get("verdict").asText());
    assertEquals("WEB-01", tree.at("/ntlm/netbiosComputerName").asText());
    assertEquals(r.certificate().thumbprint(), tree.at("/certificate/thumbprint").asText());
    assertEquals(5, tree.get("stages").size());
    assertEquals("tcp-connect", tree.at("/stages/0/name").asText());
    assertFalse(tree.has("ok"), "ok() is derived, not a field");
    assertEquals(r, plain.readValue(plain.writeValueAsString(r), ProbeResult.class));
  }

  @Test
  void probe_json_writes_verdict_ids_and_reads_them_back() throws Exception {
    try (var server = new FakeRdpServer(() -> TestCertificates.behaviour(Mode.NEG_FAILURE_CERT_NOT_ON_SERVER))) {
      ProbeResult r = ProbeFixtures.probe(server.port());
      String json = ProbeJson.toJson(r);
      JsonNode tree = new ObjectMapper().readTree(json);

      assertEquals("negotiation-failed", tree.get("verdict").asText());
      assertEquals("failed", tree.at("/stages/1/status").asText());
      assertEquals("SSL_CERT_NOT_ON_SERVER", tree.at("/negotiation/failureName").asText());
      assertTrue(tree.get("tls").isNull());
      assertEquals(r, ProbeJson.mapper().readValue(json, ProbeResult.class));
      assertNotNull(new ProbeResult(ProbeVerdict.OK, "stub").stages());
    }
  }
}
