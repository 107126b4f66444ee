package dev.azrdpfix.template;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.azrdpfix.contract.WindowsFacts;
import dev.azrdpfix.contract.Wire;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * PowerShell cannot import the Java constants, so the templates hold literal copies of a few contract values. This
 * test ties every such copy (and the CONTRACT.md text) to its one home in {@code dev.azrdpfix.contract}.
 */
class ContractCopiesTest {

  @Test
  void the_marker_prefix_is_printed_by_the_helpers_and_read_by_the_runner_exactly_as_the_contract_spells_it() {
    assertTrue(PsSource.read("common/helpers.ps1").contains("Write-Output ('" + Wire.MARKER + "' + "));
    assertTrue(PsSource.read("common/bundle-runner.ps1").contains(".StartsWith('" + Wire.MARKER + "')"));
    assertTrue(PsSource.read("CONTRACT.md").contains(Wire.MARKER + "{\"v\":" + Wire.VERSION + ","));
  }

  @Test
  void the_marker_budgets_of_the_scripts_are_the_contract_budgets() {
    assertTrue(PsSource.read("common/bundle-runner.ps1").contains("-gt " + Wire.BUNDLE_MARKER_LIMIT + ")"));
    assertTrue(PsSource.read("inspect/diagnose.ps1").contains("-gt " + Wire.FACTS_MARKER_LIMIT + " "));
    assertTrue(Wire.FACTS_MARKER_LIMIT < Wire.BUNDLE_MARKER_LIMIT && Wire.BUNDLE_MARKER_LIMIT < Wire.OUTPUT_LIMIT);
  }

  @Test
  void every_machinekeys_sddl_literal_in_the_templates_and_the_contract_is_the_default_one() {
    Pattern sddl = Pattern.compile("O:SYG:SYD:PAI(\\([^)]*\\))+");
    List<String> found = new ArrayList<>();
    List<Path> files = new ArrayList<>(PsSource.allScripts());
    files.add(PsSource.ROOT.resolve("CONTRACT.md"));
    for (Path p : files) {
      Matcher m = sddl.matcher(PsSource.read(p));
      while (m.find()) {
        found.add(p.getFileName() + ": " + m.group());
        assertEquals(WindowsFacts.DEFAULT_MACHINEKEYS_SDDL, m.group(), p.toString());
      }
    }
    assertFalse(found.isEmpty(), "the templates compare with the default SDDL somewhere");
  }

  @Test
  void diagnose_counts_exactly_the_contract_event_ids_in_its_facts_and_its_query() {
    String diagnose = PsSource.read("inspect/diagnose.ps1");
    Matcher keys = Pattern.compile("\\$events = \\[ordered\\]@\\{ ([^}]*) }").matcher(diagnose);
    assertTrue(keys.find());
    List<String> inFacts = Arrays.stream(keys.group(1).split(";")).map(s -> s.trim().split("'")[1]).toList();
    assertEquals(WindowsFacts.EVENT_IDS, inFacts);
    // One query per provider; together they ask for exactly the contract's ids.
    Matcher query = Pattern.compile("Id = @\\(([0-9, ]+)\\)").matcher(diagnose);
    List<String> asked = new ArrayList<>();
    while (query.find()) {
      Arrays.stream(query.group(1).split(",")).map(String::trim).forEach(asked::add);
    }
    assertEquals(WindowsFacts.EVENT_IDS, asked);
  }

  @Test
  void the_remote_desktop_rule_group_is_addressed_by_the_one_resource_id() {
    Pattern group = Pattern.compile("-Group '([^']*)'");
    int seen = 0;
    for (Path p : PsSource.allScripts()) {
      Matcher m = group.matcher(PsSource.code(PsSource.read(p)));
      while (m.find()) {
        seen++;
        assertEquals(WindowsFacts.RDP_FIREWALL_GROUP, m.group(1), p.toString());
      }
    }
    assertTrue(seen >= 2, "diagnose and enable-rdp-firewall-rules read the group");
  }

  @Test
  void list_parameters_are_split_on_the_contract_separator_everywhere() {
    assertTrue(ParameterType.THUMBPRINT_LIST.pattern().contains("(" + Wire.LIST_SEPARATOR + "[0-9A-F]{40})"));
    assertTrue(PsSource.read("repair/remove-rdp-certificates.ps1").contains("-split '" + Wire.LIST_SEPARATOR + "'"));
    // Inert in cmd.exe and in powershell -Command argument mode: no , ; & | ^ < > ( ) or blank.
    assertFalse(Wire.LIST_SEPARATOR.matches("[,;&|^<>() ]"));
  }
}
