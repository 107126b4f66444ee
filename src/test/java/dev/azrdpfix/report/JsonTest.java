package dev.azrdpfix.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.azrdpfix.core.ExitCode;
import dev.azrdpfix.core.model.Finding;
import dev.azrdpfix.core.model.FindingId;
import dev.azrdpfix.core.model.Severity;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class JsonTest {
  private static String compact(Object value) {
    return Json.write(value).replaceAll("\\s+", "");
  }

  record Facts(String time, Map<String, Integer> events, Map<String, Boolean> profiles) {}

  @Test
  void mapsWithoutADefinedOrderAreWrittenInKeyOrderAtAnyDepth() {
    Map<String, Integer> events = new HashMap<>();
    for (String id : List.of("7022", "36870", "1058", "1057", "36872", "36871")) {
      events.put(id, id.length());
    }
    Facts facts = new Facts("t", Map.copyOf(events), Map.of("Public", true, "Domain", false, "Private", true));
    assertEquals("{\"time\":\"t\",\"events\":{\"1057\":4,\"1058\":4,\"36870\":5,\"36871\":5,\"36872\":5,\"7022\":4},"
        + "\"profiles\":{\"Domain\":false,\"Private\":true,\"Public\":true}}", compact(facts));
    assertEquals("{\"outer\":{\"a\":1,\"b\":2,\"c\":3}}", compact(Map.of("outer", Map.of("c", 3, "a", 1, "b", 2))));
  }

  @Test
  void documentsBuiltInOrderKeepItAndNullsStayKeys() {
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("schema", "s");
    doc.put("vm", null);
    doc.put("exit", ExitCode.RDP_BLOCKED);
    doc.put("alpha", new TreeMap<>(Map.of("z", 1, "y", 2)));
    assertEquals("{\"schema\":\"s\",\"vm\":null,\"exit\":{\"code\":5,\"name\":\"rdp-blocked\"},\"alpha\":{\"y\":2,"
        + "\"z\":1}}", compact(doc));
    assertEquals("{\"name\":\"ip\",\"address\":null,\"fqdn\":null,\"sku\":\"Basic\"}",
        compact(Json.object("name", "ip", "address", null, "fqdn", null, "sku", "Basic")));
    assertThrows(IllegalArgumentException.class, () -> Json.object("name"));
  }

  @Test
  void findingsAndTheirIdsAreWrittenInTheirKebabCaseForm() {
    Finding f = new Finding(FindingId.RDP_BLOCKED_BY_NSG, Severity.CRITICAL, "s", null, "n");
    assertEquals("{\"id\":\"rdp-blocked-by-nsg\",\"severity\":\"critical\",\"summary\":\"s\",\"evidence\":null,"
        + "\"nextStep\":\"n\"}", compact(Json.finding(f)));
    // A finding serialised as a record (not through Json.finding) carries the same forms.
    assertEquals("{\"id\":\"rdp-blocked-by-nsg\",\"severity\":\"critical\",\"summary\":\"s\",\"evidence\":null,"
        + "\"nextStep\":\"n\"}", compact(f));
  }
}
