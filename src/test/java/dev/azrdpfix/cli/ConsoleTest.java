package dev.azrdpfix.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.azrdpfix.simulator.arm.Catalogue;
import dev.azrdpfix.testing.CliRun;
import dev.azrdpfix.testing.CliRun.Result;
import java.io.BufferedReader;
import java.io.PrintWriter;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The console a person reads at 3 a.m.: what is printed, where, and which commands it hands over. */
class ConsoleTest {
  @TempDir
  Path home;

  Result sim(String... args) {
    return sim(Map.of(), args);
  }

  Result sim(Map<String, String> env, String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(List.of("--simulate"));
    return CliRun.run(env, home, all.toArray(String[]::new));
  }

  @Test
  void a_live_phase_redraws_its_elapsed_time_in_place_and_piped_output_has_plain_lines() {
    AtomicLong now = new AtomicLong();
    StringWriter live = new StringWriter();
    ConsoleProgress p = new ConsoleProgress(new PrintWriter(live), false, true,
        (ConsoleProgress.TestClock) now::get);
    p.step("Applying 3 step(s) in one Run Command (backups first, run X)...");
    now.addAndGet(12_000_000_000L);
    p.tick();
    assertTrue(live.toString().contains("\rApplying 3 step(s) in one Run Command (backups first, run X)... 12 s"
        + " (Run Command, typically 20-40 s)"), live::toString);
    p.step("Restarting rg-prod/web-01 through Azure...");
    assertTrue(live.toString().contains("run X)... 12 s" + " ".repeat(33) + "\n"), live::toString);
    p.close();

    StringWriter piped = new StringWriter();
    ConsoleProgress q = new ConsoleProgress(new PrintWriter(piped), false, false, (ConsoleProgress.TestClock) now::get);
    q.step("Applying 3 step(s) in one Run Command...");
    q.tick();
    q.step("Restarting rg-prod/web-01 through Azure...");
    q.close();
    assertEquals("Applying 3 step(s) in one Run Command...\nRestarting rg-prod/web-01 through Azure...\n",
        piped.toString().replace("\r\n", "\n"));
  }

  @Test
  void next_step_commands_carry_the_options_in_use() {
    Result r = sim("inspect", "deallocated-01", "--subscription", Catalogue.SUBSCRIPTION, "--azure-only")
        .expectExit(5);
    assertTrue(r.out().contains("'azrdpfix repair rg-prod/deallocated-01 --start --simulate --subscription "
        + Catalogue.SUBSCRIPTION + "'"), r::toString);
    Result web = sim("inspect", "web-01", "-g", "rg-prod").expectExit(5);
    assertTrue(web.out().matches("(?s).*'azrdpfix repair \\S+ --dry-run --simulate -g rg-prod'.*"), web::toString);
  }

  @Test
  void with_json_output_every_exit_prints_a_json_document() throws Exception {
    ObjectMapper m = new ObjectMapper();
    Result refused = sim("repair", "web-01", "--output", "json").expectExit(6);
    JsonNode doc = m.readTree(refused.out());
    assertEquals("azrdpfix/error/v1", doc.path("schema").asText());
    assertEquals(6, doc.path("exit").path("code").asInt());
    assertEquals(refused.oneLineError(), "azrdpfix: " + doc.path("error").asText());

    Result usage = CliRun.run(Map.of(), home, "inspect", "web-01", "--output", "json", "--bogus").expectExit(2);
    assertEquals(2, m.readTree(usage.out()).path("exit").path("code").asInt(), usage::toString);
    usage.oneLineError();

    Result azure = sim("inspect", "web-01", "--output", "json", "--sim-faults", "403:vm-list:9").expectExit(3);
    assertEquals(3, m.readTree(azure.out()).path("exit").path("code").asInt(), azure::toString);

    // Results that are not errors are their own documents, with the exit code in them.
    Result blocked = sim("inspect", "web-01", "--output", "json").expectExit(5);
    assertEquals(5, m.readTree(blocked.out()).path("exit").path("code").asInt(), blocked::toString);
    Result agentDown = sim("inspect", "agent-down-01", "--output", "json").expectExit(4);
    assertEquals(4, m.readTree(agentDown.out()).path("exit").path("code").asInt(), agentDown::toString);
    assertEquals("precondition", m.readTree(agentDown.out()).path("exit").path("name").asText());
  }

  @Test
  void a_mistyped_command_or_option_gets_a_suggestion() {
    Result r = CliRun.run(Map.of(), home, "inspct", "web-01").expectExit(2);
    assertTrue(r.oneLineError().contains("Did you mean 'inspect'"), r::toString);
    Result o = CliRun.run(Map.of(), home, "inspect", "web-01", "--azure-onyl").expectExit(2);
    assertTrue(o.oneLineError().contains("--azure-only"), o::toString);
  }

  @Test
  void completion_prints_a_bash_script_with_the_subcommands() {
    Result r = CliRun.run(Map.of(), home, "completion").expectExit(0);
    assertTrue(r.out().contains("complete -F") && r.out().contains("inspect") && r.out().contains("rollback"),
        r::toString);
  }

  @Test
  void text_is_ascii_unless_the_locale_is_utf8() {
    Result ascii = sim("inspect", "web-01", "--azure-only").expectExit(0);
    assertTrue(ascii.out().chars().allMatch(c -> c < 128), ascii::toString);
    Result utf8 = sim(Map.of("LANG", "en_US.UTF-8"), "inspect", "web-01", "--azure-only").expectExit(0);
    assertTrue(utf8.out().contains("\u00b7"), utf8::toString);
  }

  @Test
  void the_markdown_report_has_seconds_a_host_a_duration_and_next_steps() throws Exception {
    Path report = home.resolve("r.json");
    Result r = sim(Map.of("HOSTNAME", "oncall-laptop"), "repair", "nsg-blocked-01", "--yes", "--report",
        report.toString());
    assertTrue(r.exit() != 0, r::toString);
    // The outcome is printed once: in the result on stdout; stderr has one line with the exit code and the report.
    String outcome = "refused: the guest is healthy";
    assertEquals(1, r.out().split(outcome, -1).length - 1, r::toString);
    assertFalse(r.err().contains(outcome), r::toString);
    assertTrue(r.oneLineError().contains("repair ended with exit 5") && r.oneLineError().contains("r.json"),
        r::toString);
    String md = Files.readString(home.resolve("r.md"));
    assertFalse(md.matches("(?s).*\\d{2}:\\d{2}:\\d{2}\\.\\d+Z.*"), md);
    assertTrue(md.contains("on oncall-laptop"), md);
    assertTrue(md.contains("| Duration | "), md);
    assertTrue(md.contains("## Next steps"), md);
    assertTrue(md.contains("az network nsg rule"), md);
  }

  @Test
  void the_confirmation_shows_findings_plan_restart_and_undo_before_asking() {
    Map<String, String> vars = new HashMap<>();
    vars.put("AZRDPFIX_CACHE_DIR", home.resolve("cache").toString());
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    Environment terminal = new Environment(vars::get, home, true, new BufferedReader(new StringReader("n\n")));
    int code = Cli.run(new String[] {"repair", "web-01", "--simulate"}, new PrintWriter(out), new PrintWriter(err),
        terminal);
    String e = err.toString();
    assertEquals(6, code, e);
    int findings = e.indexOf("Findings:");
    int plan = e.indexOf("Plan for rg-prod/web-01");
    int restart = e.indexOf("TermService and SessionEnv restart inside rg-prod/web-01: RDP users are cut off");
    int undo = e.indexOf("Undo afterwards: 'azrdpfix rollback rg-prod/web-01 --run ");
    int question = e.indexOf("[y/N]");
    assertTrue(findings >= 0 && findings < plan && plan < restart && restart < undo && undo < question, e);
    assertTrue(e.contains("1. reset-machinekeys-acl: "), e);
    assertTrue(e.substring(undo, question).contains("--simulate'"), e);
  }
}
