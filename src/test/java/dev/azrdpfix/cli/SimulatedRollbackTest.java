package dev.azrdpfix.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.azrdpfix.testing.CliRun;
import dev.azrdpfix.testing.CliRun.Result;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/**
 * {@code rollback} against the simulated Azure through the real SDK: the VM's own run folders and journals decide
 * which run is undone, a rolled-back run is never replayed, an empty local cache does not matter, and a run id the
 * VM does not have is refused with the runs it has.
 */
@Execution(ExecutionMode.CONCURRENT)
class SimulatedRollbackTest {
  @TempDir
  Path home;

  Result azrdpfix(String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(List.of("--simulate", "--sim-latency", "fast/4"));
    return CliRun.run(Map.of(), home, all.toArray(String[]::new));
  }

  Result repair(String vm) {
    return azrdpfix("repair", vm, "--probe-timeout", "2s", "--probe-wait", "20s", "--yes", "--output", "json");
  }

  static JsonNode json(Result r) throws IOException {
    return new ObjectMapper().readTree(r.out());
  }

  JsonNode list(String vm) throws IOException {
    return json(azrdpfix("rollback", vm, "--list", "--output", "json").expectExit(0));
  }

  static String state(JsonNode runs, String id) {
    for (JsonNode r : runs.path("runs")) {
      if (r.path("id").asText().equals(id)) {
        return r.path("state").asText();
      }
    }
    return "absent";
  }

  /** Forgets every local report, as on a CI runner or a colleague's laptop. */
  void emptyTheLocalCache() throws IOException {
    try (Stream<Path> all = Files.walk(home)) {
      for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
        if (p.toString().contains(java.io.File.separator + "reports") && Files.isRegularFile(p)) {
          Files.delete(p);
        }
      }
    }
  }

  @Test
  void repair_rollback_repair_rollback_undoes_the_right_run_each_time_from_an_empty_cache() throws Exception {
    String first = json(repair("web-01").expectExit(0)).path("runId").asText();
    emptyTheLocalCache();
    Result rb1 = azrdpfix("rollback", "web-01", "--yes", "--output", "json").expectExit(0);
    assertTrue(json(rb1).path("outcome").asText().startsWith("rolled back run " + first + ": "), rb1::toString);
    assertEquals("rolled-back".replace('-', ' '), state(list("web-01"), first));
    azrdpfix("inspect", "web-01").expectExit(5);

    String second = json(repair("web-01").expectExit(0)).path("runId").asText();
    emptyTheLocalCache();
    JsonNode runs = list("web-01");
    assertEquals(second, runs.path("runs").get(0).path("id").asText(), runs.toString());
    assertEquals("complete", state(runs, second));
    assertEquals("rolled back", state(runs, first));

    Result rb2 = azrdpfix("rollback", "web-01", "--yes", "--output", "json").expectExit(0);
    String outcome = json(rb2).path("outcome").asText();
    assertTrue(outcome.startsWith("rolled back run " + second + ": "), rb2::toString);
    assertTrue(outcome.contains("Now: RDP "), outcome);
    assertEquals("rolled back", state(list("web-01"), second));
    azrdpfix("inspect", "web-01").expectExit(5);

    // Nothing left: the first run is never replayed on top of the second.
    Result rb3 = azrdpfix("rollback", "web-01", "--yes", "--output", "json").expectExit(0);
    assertTrue(json(rb3).path("outcome").asText().startsWith("nothing to roll back on rg-prod/web-01"), rb3::toString);
    Result named = azrdpfix("rollback", "web-01", "--run", first, "--yes", "--output", "json").expectExit(0);
    assertTrue(json(named).path("outcome").asText().startsWith("nothing replayed: run " + first
        + " was rolled back on the VM"), named::toString);
  }

  @Test
  void a_mistyped_run_id_lists_the_runs_the_vm_has() throws Exception {
    String run = json(repair("firewall-01").expectExit(0)).path("runId").asText();
    Result r = azrdpfix("rollback", "firewall-01", "--run", "20261123T050000Z-typo00", "--yes").expectExit(2);
    String line = r.oneLineError();
    assertTrue(line.contains("run 20261123T050000Z-typo00 is not on rg-prod/firewall-01; the runs on the VM are: "
        + run + " (complete)"), r::toString);
    azrdpfix("inspect", "firewall-01").expectExit(0); // nothing was rolled back
  }

  @Test
  void list_prints_one_line_per_run_with_state_changes_and_age() throws Exception {
    String run = json(repair("rdp-disabled-01").expectExit(0)).path("runId").asText();
    Result r = azrdpfix("rollback", "rdp-disabled-01", "--list").expectExit(0);
    assertTrue(r.out().contains("Runs on rg-prod/rdp-disabled-01 (newest first, as the VM records them):"),
        r::toString);
    String line = r.out().lines().filter(l -> l.contains(run)).findFirst().orElseThrow();
    assertTrue(line.matches("  " + run + "  complete  [0-9]+ changes? \\(.*\\)  started .* ago"), line);
    // The undo command carries the options in use, here --simulate.
    assertTrue(r.out().contains("Undo the latest: 'azrdpfix rollback rg-prod/rdp-disabled-01 --simulate' (run " + run
        + ")"), r::toString);
    assertFalse(r.out().contains("Changes on the VM"), "a listing changes nothing");
  }

  /** Another run holds the VM: the lock file its bundle created, in the simulated guest's state file. */
  void lockHeldBy(String vm, String runId, String started) throws IOException {
    Path state;
    try (Stream<Path> all = Files.walk(home)) {
      state = all.filter(p -> p.endsWith(Path.of("simulator", "state.json"))).findFirst().orElseThrow();
    }
    ObjectMapper json = new ObjectMapper();
    JsonNode root = json.readTree(Files.readString(state));
    List<com.fasterxml.jackson.databind.node.ObjectNode> files = new ArrayList<>();
    findFiles(root, "", vm, files);
    assertEquals(1, files.size(), "one guest of " + vm + " in " + state);
    files.get(0).put("C:\\ProgramData\\azrdpfix\\run.lock",
        "{\"runId\":\"" + runId + "\",\"kind\":\"repair\",\"started\":\"" + started + "\"}");
    Files.writeString(state, json.writeValueAsString(root));
  }

  private static void findFiles(JsonNode n, String path, String vm,
      List<com.fasterxml.jackson.databind.node.ObjectNode> out) {
    if (n.isObject()) {
      if (n.path("files").isObject() && path.contains(vm)) {
        out.add((com.fasterxml.jackson.databind.node.ObjectNode) n.path("files"));
        return;
      }
      n.fields().forEachRemaining(e -> findFiles(e.getValue(), path + "/" + e.getKey() + "/"
          + n.path("name").asText(""), vm, out));
    } else if (n.isArray()) {
      n.forEach(c -> findFiles(c, path, vm, out));
    }
  }

  @Test
  void a_vm_locked_by_another_run_refuses_repair_and_rollback_with_exit_4() throws Exception {
    String run = json(repair("rdp-disabled-01").expectExit(0)).path("runId").asText();
    lockHeldBy("rdp-disabled-01", "20261123T050000Z-other1", "2030-01-01T00:00:00Z");
    Result again = azrdpfix("repair", "rdp-disabled-01", "--yes").expectExit(4);
    assertTrue(again.oneLineError().contains("rg-prod/rdp-disabled-01 is locked by run 20261123T050000Z-other1"
        + " (repair) since 2030-01-01T00:00:00Z"), again::toString);
    Result rb = azrdpfix("rollback", "rdp-disabled-01", "--yes").expectExit(4);
    assertTrue(rb.oneLineError().contains("is locked by run 20261123T050000Z-other1"), rb::toString);
    JsonNode runs = list("rdp-disabled-01");
    assertEquals("complete", state(runs, run), "nothing was rolled back");
  }

  @Test
  void break_lock_clears_a_lock_older_than_90_minutes_and_journals_it_on_the_vm() throws Exception {
    azrdpfix("inspect", "web-01").expectExit(5);
    lockHeldBy("web-01", "20260101T000000Z-cutoff", "2026-01-01T00:00:00Z");
    Result refused = azrdpfix("repair", "web-01", "--yes").expectExit(4);
    assertTrue(refused.oneLineError().contains("older than Run Command's 90-minute limit, so that run was cut off"),
        refused::toString);
    Result broken = azrdpfix("rollback", "web-01", "--list", "--break-lock", "--yes").expectExit(0);
    assertTrue(broken.err().contains("Breaking the stale lock of run 20260101T000000Z-cutoff"), broken::toString);
    JsonNode runs = list("web-01");
    JsonNode only = runs.path("runs").get(0);
    assertEquals(1, runs.path("runs").size(), runs.toString());
    assertEquals("break-lock lock-break", only.path("ops").get(0).asText(), "journaled on the VM: " + runs);
    assertEquals(0, only.path("changes").asInt(), "a lock break is no change to undo: " + runs);
    repair("web-01").expectExit(0);
  }
}
