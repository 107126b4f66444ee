package dev.azrdpfix.template;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.azrdpfix.contract.Wire;
import dev.azrdpfix.core.guest.GuestFacts;
import dev.azrdpfix.simulator.guest.GuestCatalog;
import dev.azrdpfix.simulator.guest.GuestRuntime;
import java.io.IOException;
import java.lang.reflect.RecordComponent;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The facts example in CONTRACT.md is the one facts schema. The diagnose template, the Java type with its mapper and
 * the simulated guest must each cover exactly its keys: a fact added to one of them alone fails here.
 */
class FactsSchemaTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Instant NOW = Instant.parse("2026-11-23T05:00:00Z");
  /** Objects whose keys are data read at run time (firewall profile names), not names written in the template. */
  private static final Set<String> RUNTIME_KEYED = Set.of("firewall/profiles", "firewall/rdpRules");

  static ObjectNode schema() throws IOException {
    String contract = PsSource.read("CONTRACT.md");
    int start = contract.indexOf("```json") + 7;
    return (ObjectNode) JSON.readTree(contract.substring(start, contract.indexOf("```", start)));
  }

  /** Every key path: {@code a/b} for objects, {@code a[]/b} for the elements of arrays (keys may hold dots). */
  static Set<String> paths(JsonNode n, String prefix, Set<String> out) {
    if (n.isObject()) {
      n.fields().forEachRemaining(e -> {
        String p = prefix.isEmpty() ? e.getKey() : prefix + "/" + e.getKey();
        out.add(p);
        paths(e.getValue(), p, out);
      });
    } else if (n.isArray()) {
      n.forEach(el -> paths(el, prefix + "[]", out));
    }
    return out;
  }

  @Test
  void every_value_of_the_schema_example_is_set_so_each_key_can_be_seen_used() throws IOException {
    List<String> nulls = new ArrayList<>();
    for (String p : paths(schema(), "", new TreeSet<>())) {
      JsonNode v = at(schema(), p);
      if (v == null || v.isNull()) {
        nulls.add(p);
      }
    }
    assertEquals(List.of(), nulls);
  }

  @Test
  void the_simulated_guest_reports_exactly_the_schema_keys() throws IOException {
    for (String fault : GuestCatalog.FAULTS) {
      GuestRuntime g = GuestCatalog.create("vm-" + fault, fault, NOW);
      String out = g.runPowerShell(TemplateCatalog.load().get("diagnose").lines(), Map.of(), NOW).stdout();
      String marker = out.lines().filter(l -> l.startsWith(Wire.MARKER)).reduce((a, b) -> b).orElseThrow();
      JsonNode facts = JSON.readTree(marker.substring(Wire.MARKER.length())).path("facts");
      Set<String> got = paths(facts, "", new TreeSet<>());
      Set<String> want = paths(schema(), "", new TreeSet<>());
      if (facts.path("certs").isEmpty()) {
        want.removeIf(p -> p.startsWith("certs[]"));
      }
      if (facts.path("lock").isNull()) {
        want.removeIf(p -> p.startsWith("lock/")); // no run holds the VM
      }
      assertEquals(want, got, fault);
    }
  }

  @Test
  void the_mapper_reads_every_schema_key() throws IOException {
    ObjectNode schema = schema();
    GuestFacts full = GuestFactsMapper.map(schema);
    for (String p : paths(schema, "", new TreeSet<>())) {
      ObjectNode copy = schema.deepCopy();
      remove(copy, p);
      assertNotEquals(full, GuestFactsMapper.map(copy), "the mapper ignores " + p);
    }
  }

  @Test
  void every_field_of_the_java_type_is_filled_from_the_schema() throws Exception {
    List<String> unset = new ArrayList<>();
    walk(GuestFactsMapper.map(schema()), "facts", unset);
    assertEquals(List.of(), unset, "GuestFacts fields that no schema key fills (no Object-typed facts either)");
  }

  @Test
  void the_diagnose_template_writes_exactly_the_schema_keys() throws IOException {
    String code = PsSource.code(PsSource.read("inspect/diagnose.ps1"));
    Set<String> names = new TreeSet<>();
    for (String p : paths(schema(), "", new TreeSet<>())) {
      String parent = p.contains("/") ? p.substring(0, p.lastIndexOf('/')) : "";
      if (!RUNTIME_KEYED.contains(parent)) {
        names.add(p.substring(p.lastIndexOf('/') + 1).replace("[]", ""));
      }
    }
    // Written: keys of [ordered] hashtable literals, $facts.x / $facts.x.y / $mk.x assignments, literal loop lists.
    Set<String> written = new TreeSet<>();
    Matcher lit = Pattern.compile("\\[ordered\\]@\\{([^}]*)}").matcher(code);
    while (lit.find()) {
      Matcher k = Pattern.compile("(?:^|;)\\s*'?([A-Za-z0-9.]+)'?\\s*=(?!=)").matcher(lit.group(1));
      while (k.find()) {
        written.add(k.group(1));
      }
    }
    Matcher assign = Pattern.compile("\\$(?:facts|mk|reg)((?:\\.[A-Za-z0-9]+)+)\\s*=(?!=)").matcher(code);
    while (assign.find()) {
      String chain = assign.group(1);
      written.add(chain.substring(chain.lastIndexOf('.') + 1));
    }
    Matcher loop =
        Pattern.compile("foreach \\(\\$(?:name|n|v) in @\\(([^)]*)\\)\\) \\{\\s*\\n?\\s*\\$(services|reg|tls)\\[")
            .matcher(code);
    while (loop.find()) {
      for (String s : loop.group(1).split(",")) {
        written.add(s.trim().replace("'", ""));
      }
    }
    assertEquals(names, written);
  }

  private static JsonNode at(JsonNode root, String path) {
    JsonNode n = root;
    for (String part : path.split("/")) {
      boolean arr = part.endsWith("[]");
      n = n.get(arr ? part.substring(0, part.length() - 2) : part);
      if (arr && n != null) {
        n = n.get(0);
      }
      if (n == null) {
        return null;
      }
    }
    return n;
  }

  private static void remove(ObjectNode root, String path) {
    int dot = path.lastIndexOf('/');
    String key = path.substring(dot + 1).replace("[]", "");
    JsonNode parent = dot < 0 ? root : at(root, path.substring(0, dot));
    if (parent instanceof ArrayNode a) {
      parent = a.get(0);
    }
    ((ObjectNode) parent).remove(key);
  }

  private static void walk(Object v, String where, List<String> unset) throws Exception {
    if (v == null) {
      unset.add(where);
      return;
    }
    if (v instanceof Collection<?> c) {
      if (c.isEmpty()) {
        unset.add(where + " (empty)");
      }
      for (Object e : c) {
        walk(e, where + "[]", unset);
      }
      return;
    }
    if (v instanceof Map<?, ?> m) {
      if (m.isEmpty()) {
        unset.add(where + " (empty)");
      }
      for (var e : m.entrySet()) {
        walk(e.getValue(), where + "." + e.getKey(), unset);
      }
      return;
    }
    if (v.getClass().isRecord()) {
      for (RecordComponent rc : v.getClass().getRecordComponents()) {
        assertFalse(rc.getType() == Object.class, where + "." + rc.getName() + " is typed Object");
        walk(rc.getAccessor().invoke(v), where + "." + rc.getName(), unset);
      }
      return;
    }
    assertNotNull(v);
    assertTrue(v instanceof String || v instanceof Number || v instanceof Boolean, where + ": " + v.getClass());
  }
}
