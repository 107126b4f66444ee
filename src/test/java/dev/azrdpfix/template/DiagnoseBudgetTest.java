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
    ((ObjectNode) facts.get("machineKeys")).put("sddl",
        "O:BAG:SYD:PAI" + "(A;OICI;FA;;;S-1-5-21-1111111111-2222222222)".repeat(5).substring(0, 186));
    ((ObjectNode) facts.get("domain")).put("joined", true).put("name", "d".repeat(64));
    ((ObjectNode) facts.get("os")).put("caption", "c".repeat(64));
    facts.putArray("gpo").add("fDenyTSConnections").add("UserAuthentication").add("SecurityLayer")
        .add("MinEncryptionLevel").add("PortNumber");
    ((ObjectNode) facts.get("firewall")).putArray("active").add("Domain").add("Private").add("Public");
    ObjectNode services = (ObjectNode) facts.get("services");
    services.fieldNames().forEachRemaining(n -> ((ObjectNode) services.get(n)).put("account", "a".repeat(64)));
    // The listener's key at its longest: 200-character SDDL, every build entry missing and denied.
    ObjectNode key = facts.putObject("rdpKey");
    key.put("tp", "0123456789ABCDEF0123456789ABCDEF01234567").put("source", "binding").put("provider", "CAPI")
        .put("file", "f686aace6942fb7f7ceb231212eef4a4_8f3e4b2a-1c2d-4e5f-8a9b-0c1d2e3f4a5b")
        .put("sddl", "O:BAG:SYD:" + "(D;;FA;;;S-1-5-80-4022436659-1090538466-1613889075-870485073-3428993833)".repeat(3)
            .substring(0, 190))
        .put("opens", true);
    String sessionEnv = "S-1-5-80-4022436659-1090538466-1613889075-870485073-3428993833";
    key.putArray("missing").add("S-1-5-18").add("S-1-5-20").add(sessionEnv).add("deny:S-1-5-18").add("deny:S-1-5-20")
        .add("deny:" + sessionEnv);
    facts.put("sessions", 99999);
    facts.putObject("tlsDisabledByDefault").put("1.0", 1).put("1.1", 1).put("1.2", 1);
    ((ObjectNode) facts.get("firewall")).put("blockRules", 999);
    // As diagnose does: certificates are dropped from the end until the line fits 3,600 characters.
    String line = ResultParser.MARKER + json.writeValueAsString(golden);
    while (line.length() - ResultParser.MARKER.length() > 3600 && certs.size() > 1) {
      certs.remove(certs.size() - 1);
      line = ResultParser.MARKER + json.writeValueAsString(golden);
    }
    System.out.println("worst-case diagnose marker line: certificates kept " + certs.size());
    assertTrue(certs.size() >= 3, "the worst case still lists the certificate in use and two more: " + certs.size());
    int bytes = line.getBytes(StandardCharsets.UTF_8).length;
    System.out.println("worst-case diagnose marker line: " + bytes + " bytes");
    assertTrue(bytes < 3600, "worst-case diagnose line is " + bytes + " bytes");
    assertEquals(ResultStatus.OK, ResultParser.parse("diagnose", line, "").status());
  }
}
