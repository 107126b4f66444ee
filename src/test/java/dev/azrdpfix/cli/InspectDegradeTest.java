package dev.azrdpfix.cli;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.azrdpfix.testing.CliRun;
import dev.azrdpfix.testing.CliRun.Result;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code inspect} when the guest cannot be diagnosed: the Azure-side findings stay, {@code guest-not-diagnosed} says
 * why and what to do, and the exit code follows the Azure side. Through the real SDK against the simulated Azure,
 * which answers the Run Command POST with 403 AuthorizationFailed as Azure does for a Reader.
 */
class InspectDegradeTest {
  @TempDir
  Path home;

  Result inspect(String... args) {
    List<String> all = new ArrayList<>(List.of("inspect"));
    all.addAll(List.of(args));
    all.addAll(List.of("--simulate", "--sim-latency", "fast/4"));
    return CliRun.run(Map.of(), home, all.toArray(String[]::new));
  }

  static List<String> ids(JsonNode doc) {
    List<String> ids = new ArrayList<>();
    doc.path("findings").forEach(f -> ids.add(f.path("id").asText()));
    return ids;
  }

  static JsonNode finding(JsonNode doc, String id) {
    for (JsonNode f : doc.path("findings")) {
      if (f.path("id").asText().equals(id)) {
        return f;
      }
    }
    throw new AssertionError("no finding " + id + " in " + doc);
  }

  @Test
  void a_reader_still_gets_the_nsg_finding_and_learns_the_missing_permission() throws Exception {
    Result r = inspect("nsg-blocked-01", "--sim-faults", "403:runcommand:5", "--output", "json").expectExit(5);
    JsonNode doc = new ObjectMapper().readTree(r.out());
    assertTrue(ids(doc).contains("rdp-blocked-by-nsg"), r::toString);
    assertTrue(ids(doc).contains("guest-not-diagnosed"), r::toString);
    JsonNode g = finding(doc, "guest-not-diagnosed");
    assertTrue(g.path("nextStep").asText().contains("Microsoft.Compute/virtualMachines/runCommand/action"),
        g::toString);
    assertTrue(g.path("nextStep").asText().contains("Virtual Machine Contributor"), g::toString);
    assertFalse(doc.path("guest").path("diagnosed").asBoolean(), r::toString);
    // The NSG finding points at the real fix, with the NSG's name and a priority before the denying rule (200).
    String nsgNext = finding(doc, "rdp-blocked-by-nsg").path("nextStep").asText();
    assertTrue(nsgNext.contains("az network nsg rule")
        && nsgNext.contains("--nsg-name snet-locked-nsg -n Allow-RDP-3389 --priority 190")
        && nsgNext.contains("--priority "), nsgNext);
  }

  @Test
  void a_reader_on_a_vm_nothing_blocks_gets_exit_4_and_text_that_says_why() {
    Result r = inspect("healthy-01", "--sim-faults", "403:runcommand:5").expectExit(4);
    assertTrue(r.out().contains("guest-not-diagnosed"), r::toString);
    assertTrue(r.out().contains("Inspection incomplete: the guest was not diagnosed (no permission to use Run"
        + " Command)"), r::toString);
    assertFalse(r.out().contains("No finding blocks RDP"), r::toString);
  }

  @Test
  void a_broken_run_command_degrades_the_same_way() throws Exception {
    Result r = inspect("nsg-blocked-01", "--sim-faults", "500:runcommand:20", "--output", "json").expectExit(5);
    JsonNode doc = new ObjectMapper().readTree(r.out());
    assertTrue(ids(doc).containsAll(List.of("rdp-blocked-by-nsg", "guest-not-diagnosed")), r::toString);
  }

  @Test
  void azure_only_says_the_guest_was_not_checked() {
    Result r = inspect("healthy-01", "--azure-only").expectExit(0);
    assertTrue(r.out().contains("The guest was not checked (--azure-only)"), r::toString);
    assertFalse(r.out().contains("No finding blocks RDP."), r::toString);
  }
}
