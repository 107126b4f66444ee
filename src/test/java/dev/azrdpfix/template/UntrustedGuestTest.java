package dev.azrdpfix.template;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.azrdpfix.core.ExitCode;
import dev.azrdpfix.core.fakes.FakeGuest;
import dev.azrdpfix.core.guest.GuestRun;
import dev.azrdpfix.core.guest.GuestScenarios;
import dev.azrdpfix.core.guest.RepairOptions;
import dev.azrdpfix.core.inspect.GuestDiagnostics;
import dev.azrdpfix.core.model.FindingId;
import dev.azrdpfix.core.model.RunId;
import dev.azrdpfix.core.port.Progress;
import dev.azrdpfix.core.repair.RunJournal;
import dev.azrdpfix.core.repair.RunMode;
import dev.azrdpfix.report.RepairOutput;
import dev.azrdpfix.report.Style;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Numbers and strings from the guest are untrusted: range checked where mapped, inert where rendered. */
class UntrustedGuestTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  static String diagnoseLine(int port) {
    return "AZRDPFIX-RESULT {\"v\":1,\"id\":\"diagnose\",\"status\":\"ok\",\"findings\":[],\"changes\":[],"
        + "\"backups\":[],\"error\":null,\"facts\":{\"time\":\"2026-11-23T05:00:00Z\",\"registry\":{\"PortNumber\":"
        + port + "},\"listener\":{\"port\":" + port + ",\"process\":null,\"service\":null},\"mtu\":1500}}";
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 70000, -1})
  void a_guest_port_out_of_range_is_dropped_and_becomes_a_finding(int port) {
    TemplateResult r = ResultParser.parse("diagnose", diagnoseLine(port), "");
    assertFalse(r.failed(), r.error());
    assertNull(r.facts().registry().portNumber());
    assertNull(r.facts().listener().port());
    assertEquals(1500, r.facts().mtu());
    List<String> ids = r.findings().stream().map(TemplateResult.ScriptFinding::id).toList();
    assertEquals(List.of(GuestFactsMapper.OUT_OF_RANGE, GuestFactsMapper.OUT_OF_RANGE), ids);
    assertTrue(r.findings().get(1).msg().startsWith("registry.PortNumber = " + port + " (expected 1-65535)"),
        r.findings().toString());
  }

  @Test
  void a_port_in_range_is_kept_without_a_finding() {
    TemplateResult r = ResultParser.parse("diagnose", diagnoseLine(3390), "");
    assertEquals(3390, r.facts().registry().portNumber());
    assertEquals(List.of(), r.findings());
  }

  @Test
  void the_diagnosis_turns_the_script_finding_into_guest_value_out_of_range() {
    GuestRun run = FakeGuest.diagnosed(GuestScenarios.healthy());
    GuestRun withBad = new GuestRun(run.templateId(), run.sha256(), run.parameters(), run.started(), run.ended(),
        run.status(), null, run.facts(), List.of(GuestFactsMapper.OUT_OF_RANGE + ": registry.PortNumber = 0"
            + " (expected 1-65535); ignored"),
        List.of(), List.of(), List.of());
    GuestDiagnostics.Result dx = new GuestDiagnostics(new FakeGuest().diagnoses(withBad))
        .diagnose(dev.azrdpfix.core.model.VmRef.parse("rg1/vm1", null), RepairOptions.defaults());
    assertTrue(dx.diagnosis().findings().stream().anyMatch(f -> f.id() == FindingId.GUEST_VALUE_OUT_OF_RANGE
        && f.summary().contains("registry.PortNumber = 0")), dx.diagnosis().findings().toString());
  }

  @Test
  void guest_text_with_escape_sequences_and_workflow_commands_is_inert_in_text_and_markdown() {
    String evil = "\u001b[2J\u001b]0;owned\u0007\n::error::pwned\r::add-mask::x <img src=x> `code` | cell";
    RunJournal journal = new RunJournal(new RunId("20261123T050000Z-k3x9q2"), RunMode.REPAIR, null,
        Clock.fixed(GuestScenarios.CALL_START, ZoneOffset.UTC), Progress.NONE);
    journal.target("rg1/vm1");
    journal.addGuestRun(FakeGuest.changed("bundle", new GuestRun.Change(evil, evil, evil)));
    var report = journal.finish(ExitCode.REPAIR_FAILED, "rollback failed: " + evil);
    for (String out : List.of(RepairOutput.text(report, new Style(false), false), RepairOutput.markdown(report))) {
      assertFalse(out.contains("\u001b") || out.contains("\u0007") || out.contains("\r"), out);
      assertFalse(out.lines().anyMatch(l -> l.stripLeading().startsWith("::")), out);
      assertFalse(out.contains("::error::") || out.contains("::add-mask::"), out);
    }
    String md = RepairOutput.markdown(report);
    String outcome = md.lines().filter(l -> l.startsWith("| Outcome |")).findFirst().orElseThrow();
    assertTrue(outcome.contains("&lt;img src=x&gt; \\`code\\` \\| cell |"), outcome);
    // Inside a code span Markdown renders nothing, so only the backtick and the table pipe need care there.
    assertTrue(md.contains("x <img src=x> 'code' \\| cell`"), md);
  }

  @Test
  void the_out_of_range_finding_id_has_one_value_on_both_sides() throws Exception {
    var f = GuestDiagnostics.class.getDeclaredField("OUT_OF_RANGE");
    f.setAccessible(true);
    assertEquals(GuestFactsMapper.OUT_OF_RANGE, f.get(null));
  }

  @Test
  void a_lock_in_the_facts_is_reported_as_an_interrupted_or_running_run_with_the_commands() {
    GuestRun run = FakeGuest.diagnosed(GuestScenarios.healthy());
    var f = run.facts();
    var locked = new dev.azrdpfix.core.guest.GuestFacts(f.time(), f.os(), f.domain(), f.certs(), f.certCount(),
        f.binding(), f.machineKeys(), f.services(), f.listener(), f.registry(), f.gpo(), f.tls(), f.fips(),
        f.firewall(), f.events(), f.mtu(), f.rdpKey(), f.sessions(), f.tlsDisabledByDefault(),
        new dev.azrdpfix.core.guest.GuestFacts.Lock("20261123T050000Z-k3x9q2", "repair", "2026-11-23T05:00:00Z"));
    GuestDiagnostics.Result dx = new GuestDiagnostics(new FakeGuest().diagnoses(FakeGuest.diagnosed(locked)))
        .diagnose(dev.azrdpfix.core.model.VmRef.parse("rg1/vm1", null), RepairOptions.defaults());
    var finding = dx.diagnosis().findings().stream().filter(x -> x.id() == FindingId.RUN_INTERRUPTED).findFirst()
        .orElseThrow();
    assertEquals("see 'azrdpfix rollback rg1/vm1 --list'; undo it with 'azrdpfix rollback rg1/vm1 --run"
        + " 20261123T050000Z-k3x9q2'", finding.nextStep());
  }
}
