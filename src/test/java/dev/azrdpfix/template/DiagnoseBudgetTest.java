package dev.azrdpfix.template;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * The caps diagnose applies (4 Remote Desktop certificates plus a bound one, 64-character subjects and names, a
 * 200-character SDDL) keep even a worst-case marker line well inside Run Command's 4,096-byte window.
 */
class DiagnoseBudgetTest {

  @Test
  void worstCaseDiagnoseLineFitsTheWindow() throws Exception {
    ObjectMapper json = new ObjectMapper();
    String headline;
    try (var in = ResultParserTest.class.getResourceAsStream("results/diagnose-headline.stdout.txt")) {
      headline = new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
    }
    ObjectNode golden = (ObjectNode) json.readTree(headline.substring(ResultParser.MARKER.length()));
    ObjectNode facts = (ObjectNode) golden.get("facts");
    String long64 = "CN=" + "w".repeat(61);
    ArrayNode certs = facts.putArray("certs");
    for (int i = 0; i < 5; i++) {
      ObjectNode c = certs.addObject();
      c.put("tp", "0123456789ABCDEF0123456789ABCDEF0123456" + i);
      c.put("subject", long64);
      c.put("notBefore", "2026-05-15T04:12:00Z");
      c.put("notAfter", "2026-11-11T04:12:00Z");
      c.put("selfSigned", false);
      c.put("hasKey", true);
      c.put("keyReadable", false);
      c.put("store", i == 4 ? "My" : "Remote Desktop");
    }
    ((ObjectNode) facts.get("machineKeys")).put("sddl", "O:BAG:SYD:PAI" + "(A;OICI;FA;;;S-1-5-21-1111111111-2222222222)".repeat(5).substring(0, 186));
    ((ObjectNode) facts.get("domain")).put("joined", true).put("name", "d".repeat(64));
    ((ObjectNode) facts.get("os")).put("caption", "c".repeat(64));
    facts.putArray("gpo").add("fDenyTSConnections").add("UserAuthentication").add("SecurityLayer")
        .add("MinEncryptionLevel").add("PortNumber");
    ((ObjectNode) facts.get("firewall")).putArray("active").add("Domain").add("Private").add("Public");
    ObjectNode services = (ObjectNode) facts.get("services");
    services.fieldNames().forEachRemaining(n -> ((ObjectNode) services.get(n)).put("account", "a".repeat(64)));
    String line = ResultParser.MARKER + json.writeValueAsString(golden);
    int bytes = line.getBytes(StandardCharsets.UTF_8).length;
    System.out.println("worst-case diagnose marker line: " + bytes + " bytes");
    assertTrue(bytes < 3600, "worst-case diagnose line is " + bytes + " bytes");
    assertEquals(ResultStatus.OK, ResultParser.parse("diagnose", line, "").status());
  }
}
