package dev.azrdpfix.core.access;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.azrdpfix.core.access.AccessCheck.Need;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The role files in samples/ and the README's permissions table are copies of AccessCheck's list: kept equal. */
class AccessDocsTest {

  static Set<String> actions(String file) throws Exception {
    JsonNode role = new ObjectMapper().readTree(Path.of("samples", file).toFile());
    Set<String> out = new LinkedHashSet<>();
    role.path("Actions").forEach(a -> out.add(a.asText()));
    assertEquals(0, role.path("NotActions").size(), file);
    assertEquals(0, role.path("DataActions").size(), file);
    return out;
  }

  @Test
  void the_operator_role_holds_exactly_every_action_a_command_needs() throws Exception {
    assertEquals(AccessCheck.allActions(), actions("azrdpfix-operator-role.json"));
  }

  @Test
  void the_inspector_role_holds_exactly_what_inspect_needs() throws Exception {
    assertEquals(new LinkedHashSet<>(Need.INSPECT.actions()), actions("azrdpfix-inspector-role.json"));
  }

  @Test
  void the_readme_table_lists_each_commands_actions_and_the_role_check_access_would_suggest() throws Exception {
    String readme = Files.readString(Path.of("README.md"));
    String section = readme.substring(readme.indexOf("## Azure permissions"));
    section = section.substring(0, section.indexOf("\n## ", 3));
    List<String> rows = section.lines().filter(l -> l.startsWith("| `")).toList();
    record Row(String prefix, Need need) {}
    List<Row> expected = List.of(new Row("| `inspect --azure-only` |", Need.AZURE_ONLY),
        new Row("| `inspect` |", Need.INSPECT), new Row("| `repair`, `rollback` |", Need.REPAIR_WITH_START));
    List<String> seen = new ArrayList<>();
    for (Row e : expected) {
      String row = rows.stream().filter(r -> r.startsWith(e.prefix())).findFirst()
          .orElseThrow(() -> new AssertionError("README: no permissions row " + e.prefix()));
      seen.add(row);
      String text = String.join("\n", seen);
      for (String action : e.need().actions()) {
        assertTrue(text.contains("`" + action + "`"), "README row " + e.prefix() + " (with the rows above) lacks "
            + action);
      }
      String[] cells = row.split("\\|");
      String role = cells[cells.length - 1].trim();
      assertEquals(AccessCheck.roleFor(e.need().actions()), role, "README built-in role for " + e.prefix());
    }
  }
}
