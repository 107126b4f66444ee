package dev.azrdpfix.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.azrdpfix.testing.CliRun;
import dev.azrdpfix.testing.CliRun.Result;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code repair}, {@code inspect} and {@code rollback} end to end against the simulated Azure: real Azure SDK over
 * HTTPS on loopback, the shipped templates interpreted by the simulated guests, a real probe over a real socket.
 * Each test has its own home (so its own simulator state, cache and virtual time) and each run its own simulator on
 * a free port: the tests run concurrently.
 */
@Execution(ExecutionMode.CONCURRENT)
class SimulatedRepairTest {
  @TempDir
  Path home;

  Result azrdpfix(String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    if (!all.get(0).equals("explain")) {
      all.addAll(List.of("--simulate", "--sim-latency", "fast/4"));
    }
    return CliRun.run(Map.of("AZRDPFIX_SIM_REQUEST_LOG", requestLog().toString()), home, all.toArray(String[]::new));
  }

  Path requestLog() {
    return home.resolve("sim-requests.log");
  }

  /** How many POSTs of this route ("restart", "runcommand") the simulator served so far, from its request log. */
  long posts(String route) throws Exception {
    if (!Files.exists(requestLog())) {
      return 0;
    }
    return Files.readAllLines(requestLog()).stream().filter(l -> l.startsWith("POST " + route + " ")).count();
  }

  Result repair(String vm, String... extra) {
    List<String> all = new ArrayList<>(List.of("repair", vm, "--probe-timeout", "2s", "--probe-wait", "20s"));
    all.addAll(List.of(extra));
    return azrdpfix(all.toArray(String[]::new));
  }

  static JsonNode json(Result r) throws Exception {
    return new ObjectMapper().readTree(r.out());
  }

  static List<String> kinds(JsonNode report) {
    List<String> kinds = new ArrayList<>();
    report.path("operations").forEach(o -> kinds.add(o.path("kind").asText()));
    return kinds;
  }

  @Test
  void web01_is_repaired_end_to_end_then_rolled_back() throws Exception {
    azrdpfix("inspect", "web-01").expectExit(5);

    Result dry = repair("web-01", "--dry-run").expectExit(0);
    assertTrue(dry.out().contains("----- begin script -----"), dry::toString);
    assertTrue(dry.out().contains("# >>> azrdpfix-step reset-machinekeys-acl"), dry::toString);
    azrdpfix("inspect", "web-01").expectExit(5); // the dry run changed nothing

    Result unconfirmed = repair("web-01").expectExit(6);
    assertTrue(unconfirmed.oneLineError().contains("--yes"), unconfirmed::toString);
    azrdpfix("inspect", "web-01").expectExit(5); // neither did the refused run

    Path reportFile = home.resolve("out/report.json");
    Files.deleteIfExists(requestLog());
    Result r = repair("web-01", "--yes", "--output", "json", "--report", reportFile.toString()).expectExit(0);
    JsonNode report = json(r);
    List<String> kinds = kinds(report);
    // No step of web-01 needs a reboot: diagnose + one bundle, no VM restart, then the probe.
    assertEquals(List.of("inspect", "run-command", "run-command", "probe"), kinds, r::toString);
    assertEquals(0, posts("restart"), "the simulator saw no restart");
    assertEquals(2, posts("runcommand"), "the simulator saw two Run Commands");
    assertEquals("auto", report.path("restart").path("policy").asText());
    assertFalse(report.path("restart").path("performed").asBoolean(), report.path("restart").toString());
    assertEquals("ok", report.path("verification").path("probe").path("verdict").asText(), r::toString);
    assertEquals("203.0.113.10:3389", report.path("verification").path("probedAddress").asText());
    report.path("operations").forEach(o -> {
      if (o.path("kind").asText().equals("run-command")) {
        assertTrue(o.path("sha256").asText().matches("[0-9a-f]{64}"), o.toString());
      }
    });
    assertTrue(report.path("backups").size() >= 2, report.path("backups").toString());
    assertEquals(report.toString(), new ObjectMapper().readTree(Files.readString(reportFile)).toString());
    String md = Files.readString(home.resolve("out/report.md"));
    assertTrue(md.contains("## Azure operations") && md.contains("azrdpfix rollback rg-prod/web-01 --run "), md);

    azrdpfix("inspect", "web-01").expectExit(0);
    Result rb = azrdpfix("rollback", "web-01", "--yes", "--output", "json").expectExit(0);
    assertTrue(json(rb).path("outcome").asText().contains(report.path("runId").asText()), rb::toString);
    Result after = azrdpfix("inspect", "web-01", "--output", "json").expectExit(5);
    List<String> ids = new ArrayList<>();
    json(after).path("findings").forEach(f -> ids.add(f.path("id").asText()));
    assertTrue(ids.contains("machinekeys-acl-not-default"), ids.toString());
  }

  @ParameterizedTest(name = "{0} is repaired with {2} restart(s)")
  @CsvSource({"expired-cert-01, 5, 0", "machinekeys-01, 5, 0", "termservice-stopped-01, 5, 0",
      "rdp-disabled-01, 5, 0", "firewall-01, 5, 0", "key-file-acl-01, 5, 0", "pinned-cert-01, 5, 0",
      "active-sessions-01, 5, 0",
      // SCHANNEL changes take effect only after a VM restart.
      "tls-disabled-01, 5, 1",
      // A skewed clock is a warning (NLA still works on a standalone VM) that repair still fixes.
      "clock-skew-01, 0, 0"})
  void each_single_fault_vm_is_repaired_with_two_run_commands_and_a_restart_only_when_a_step_needs_it(String vm,
      int before, int restarts) throws Exception {
    azrdpfix("inspect", vm).expectExit(before);
    Files.deleteIfExists(requestLog());
    JsonNode report = json(repair(vm, "--yes", "--output", "json").expectExit(0));
    List<String> kinds = kinds(report);
    assertEquals(restarts, kinds.stream().filter("restart"::equals).count(), kinds.toString());
    assertEquals(restarts, posts("restart"));
    int end = restarts == 0 ? kinds.size() : kinds.indexOf("restart");
    assertEquals(2, kinds.subList(0, end).stream().filter("run-command"::equals).count());
    // A restart is followed by the verify Run Command; without one the bundle's own check is the inside view.
    assertEquals(restarts == 0 ? 2 : 3, posts("runcommand"));
    assertEquals(restarts == 1, report.path("restart").path("performed").asBoolean(), report.toString());
    assertFalse(report.path("plan").isEmpty());
    Result after = azrdpfix("inspect", vm, "--output", "json").expectExit(0);
    json(after).path("findings").forEach(f -> assertFalse(f.path("id").asText().equals("clock-skew"), f.toString()));
  }

  @Test
  void restart_always_restarts_even_when_no_step_needs_it_and_never_leaves_a_reboot_step_for_later()
      throws Exception {
    JsonNode always = json(repair("firewall-01", "--yes", "--restart", "always", "--output", "json").expectExit(0));
    assertEquals(1, kinds(always).stream().filter("restart"::equals).count(), kinds(always).toString());
    assertEquals(1, posts("restart"));
    assertEquals(3, posts("runcommand"), "diagnose, bundle, verify");

    Files.deleteIfExists(requestLog());
    Result never = repair("tls-disabled-01", "--yes", "--restart", "never", "--output", "json");
    JsonNode report = json(never);
    assertEquals(0, posts("restart"), never::toString);
    assertTrue(report.path("outcome").asText().contains("enable-tls-server take(s) effect at the next restart"),
        never::toString);
    assertEquals(report.path("exit").path("code").asInt(), never.exit());

    Result bad = repair("web-01", "--yes", "--restart", "sometimes").expectExit(2);
    assertTrue(bad.oneLineError().contains("--restart 'sometimes'"), bad::toString);
  }

  @Test
  void the_dry_run_says_which_restart_path_applies_and_counts_the_signed_in_sessions() {
    Result dry = repair("active-sessions-01", "--dry-run").expectExit(0);
    assertTrue(dry.out().contains("Restart (--restart auto): no VM restart planned"), dry::toString);
    assertTrue(dry.out().contains("2 signed-in RDP session(s) before the repair: restarting TermService or the VM"
        + " ends them"), dry::toString);
    Result tls = repair("tls-disabled-01", "--dry-run").expectExit(0);
    assertTrue(tls.out().contains("Restart (--restart auto): VM restart planned"), tls::toString);
  }

  @Test
  void a_hung_termservice_is_cleared_by_one_restart_in_auto_and_reported_in_never() throws Exception {
    Result never = repair("termservice-hung-01", "--yes", "--restart", "never").expectExit(7);
    assertTrue(never.out().contains("TermService is hung in StartPending (PID 4242)"), never::toString);
    assertEquals(0, posts("restart"));

    JsonNode auto = json(repair("termservice-hung-01", "--yes", "--output", "json").expectExit(0));
    assertEquals(1, posts("restart"), auto.toString());
    assertTrue(auto.path("restart").path("reason").asText().contains("hung service"), auto.toString());
    assertEquals("ok", auto.path("verification").path("probe").path("verdict").asText(), auto.toString());
  }

  @Test
  void a_corrupt_key_store_needs_the_explicit_flag_then_a_reapply() throws Exception {
    Result refused = repair("machinekeys-corrupt-01", "--yes").expectExit(4);
    refused.oneLineError();
    assertTrue(refused.out().contains("--allow-machinekeys-rename"), refused::toString);
    JsonNode report = json(repair("machinekeys-corrupt-01", "--yes", "--allow-machinekeys-rename", "--output",
        "json").expectExit(0));
    List<String> kinds = kinds(report);
    assertTrue(kinds.indexOf("reapply") > kinds.indexOf("restart"), kinds.toString());
    azrdpfix("inspect", "machinekeys-corrupt-01").expectExit(0);
  }

  @ParameterizedTest(name = "{0}: exit {1}")
  @CsvSource(delimiter = '|', value = {
      "nsg-blocked-01 | 5 | does not change NSGs",
      "agent-down-01 | 4 | guest agent",
      "deallocated-01 | 4 | --start",
      "linux-01 | 4 | not Windows",
      "app-01 | 2 | rg-blue, rg-green",
      "backup-squatted-01 | 7 | refusing to write backups there",
      "fails-midway-01 | 7 | failed midway",
  })
  void refuses_with_the_right_reason(String vm, int exit, String reason) {
    Result r = repair(vm, "--yes").expectExit(exit);
    // The reason is in the error line, or (for a run that produced a report) once, in the outcome on stdout.
    String line = r.oneLineError();
    assertTrue(line.contains(reason) || r.out().contains(reason), r::toString);
  }

  @Test
  void healthy_and_private_vms_need_nothing() throws Exception {
    JsonNode healthy = json(repair("healthy-01", "--yes", "--output", "json").expectExit(0));
    assertFalse(kinds(healthy).contains("restart"));
    assertEquals("ok", healthy.path("verification").path("probe").path("verdict").asText());
    JsonNode priv = json(repair("private-01", "--yes", "--output", "json").expectExit(0));
    assertTrue(priv.path("outcome").asText().contains("--via-private-ip"), priv.toString());
  }

  @Test
  void a_deallocated_vm_is_started_when_asked() throws Exception {
    JsonNode report = json(repair("deallocated-01", "--yes", "--start", "--output", "json").expectExit(0));
    assertEquals("start", kinds(report).get(1), kinds(report).toString());
  }

  @Test
  void a_run_command_already_in_progress_is_reported_and_nothing_changes() {
    Result r = azrdpfix("repair", "web-01", "--yes", "--sim-faults", "409:runcommand:1");
    r.expectExit(4);
    assertTrue(r.oneLineError().contains("Run Command"), r::toString);
    azrdpfix("inspect", "web-01").expectExit(5);
  }

  @ParameterizedTest(name = "inspect {0}: exit {1}, {2}")
  @CsvSource({
      "web-01, 5, rdp-certificate-key-unreadable",
      "healthy-01, 0, rdp-restricted-sources",
      "expired-cert-01, 5, rdp-certificate-expired",
      "machinekeys-01, 5, machinekeys-acl-not-default",
      "machinekeys-corrupt-01, 5, machinekeys-corrupt",
      "termservice-stopped-01, 5, termservice-disabled",
      "rdp-disabled-01, 5, rdp-disabled",
      "firewall-01, 5, firewall-blocks-rdp",
      "tls-disabled-01, 5, tls-server-disabled",
      "clock-skew-01, 0, clock-skew",
      "nsg-blocked-01, 5, rdp-blocked-by-nsg",
      "agent-down-01, 4, guest-agent-not-ready",
      "deallocated-01, 5, vm-not-running",
      "linux-01, 4, not-windows",
      "private-01, 0, no-public-ip",
      "asg-01, 0, nsg-cannot-evaluate",
      "app-01, 2, vm-name-ambiguous",
      "no-such-vm, 3, vm-not-found",
  })
  void inspect_reports_each_simulated_fault(String vm, int exit, String finding) throws Exception {
    Result r = azrdpfix("inspect", vm, "--output", "json").expectExit(exit);
    List<String> ids = new ArrayList<>();
    json(r).path("findings").forEach(f -> ids.add(f.path("id").asText()));
    assertTrue(ids.contains(finding), () -> finding + " not in " + ids + "\n" + r);
  }

  @Test
  void steps_restrict_the_plan_and_a_dry_run_shows_only_those() throws Exception {
    JsonNode report = json(repair("web-01", "--steps", "reset-machinekeys-acl", "--dry-run", "--output", "json")
        .expectExit(0));
    List<String> plan = new ArrayList<>();
    report.path("plan").forEach(s -> plan.add(s.path("templateId").asText()));
    assertEquals(List.of("reset-machinekeys-acl"), plan);
    assertTrue(report.path("scripts").get(0).path("script").asText().contains("azrdpfix-step reset-machinekeys-acl"));
    assertFalse(report.path("scripts").get(0).path("script").asText().contains("azrdpfix-step remove-rdp"));
    Result unknown = repair("web-01", "--steps", "format-c-drive", "--dry-run").expectExit(2);
    assertTrue(unknown.oneLineError().contains("format-c-drive"), unknown::toString);
    Result nla = repair("web-01", "--steps", "disable-nla", "--dry-run").expectExit(2);
    assertTrue(nla.oneLineError().contains("--allow-disable-nla"), nla::toString);
  }
}
