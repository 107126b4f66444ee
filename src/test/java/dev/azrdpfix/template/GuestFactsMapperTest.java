package dev.azrdpfix.template;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.azrdpfix.core.guest.GuestFacts;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The facts example in CONTRACT.md maps field by field; unknown or missing keys are tolerated. */
class GuestFactsMapperTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static JsonNode contractExample() throws IOException {
    String contract = PsSource.read("CONTRACT.md");
    int start = contract.indexOf("```json") + 7;
    return JSON.readTree(contract.substring(start, contract.indexOf("```", start)).replace("…", ""));
  }

  @Test
  void contractExampleMapsCompletely() throws IOException {
    GuestFacts f = GuestFactsMapper.map(contractExample());
    assertEquals("2026-11-23T05:00:00Z", f.time());
    assertEquals("20348", f.os().build());
    assertEquals(true, f.domain().joined());
    assertEquals(1, f.certs().size());
    assertEquals("CN=web-01", f.certs().get(0).subject());
    assertEquals(false, f.certs().get(0).keyReadable());
    assertEquals("Remote Desktop", f.certs().get(0).store());
    assertEquals(1, f.certCount());
    assertEquals("89ABCDEF0123456789ABCDEF0123456789ABCDEF", f.binding().tp());
    assertEquals(false, f.machineKeys().isDefault());
    assertEquals(false, f.machineKeys().grantsOk());
    assertEquals("Manual", f.service("TermService").start());
    assertEquals("svchost", f.listener().process());
    assertEquals(0, f.registry().fDenyTSConnections());
    assertEquals(1, f.registry().policyDenyTSConnections());
    assertEquals(3389, f.registry().portNumber());
    assertEquals(2, f.registry().securityLayer());
    assertEquals(1, f.registry().userAuthentication());
    assertEquals(2, f.registry().minEncryptionLevel());
    assertEquals(1, f.registry().fEnableWinStation());
    assertEquals(List.of("fDenyTSConnections"), f.gpo());
    assertEquals(1, f.tls().tls12());
    assertEquals(0, f.fips());
    assertEquals(true, f.firewall().rdpRules().get("Public"));
    assertEquals(List.of("Domain"), f.firewall().active());
    assertEquals(12, f.eventCount("36870"));
    assertEquals(0, f.eventCount("9999"));
    assertEquals(1500, f.mtu());
  }

  @Test
  void missingAndMistypedValuesBecomeNull() throws IOException {
    GuestFacts f = GuestFactsMapper.map(JSON.readTree(
        "{\"time\":\"x\",\"registry\":{\"PortNumber\":\"3389\"},\"certs\":{},\"tls\":{\"1.2\":0},\"newFact\":1}"));
    assertNull(f.registry().portNumber());
    assertTrue(f.certs().isEmpty());
    assertEquals(0, f.tls().tls12());
    assertNull(f.machineKeys());
    assertNull(GuestFacts.parseTime(f.time()));
    assertNull(GuestFactsMapper.map(JSON.readTree("[]")));
  }
}
