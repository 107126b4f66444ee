package dev.azrdpfix.simulator.guest;

import static dev.azrdpfix.simulator.guest.GuestTestSupport.NOW;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.azrdpfix.core.guest.GuestAnalyzer;
import dev.azrdpfix.core.guest.GuestDiagnosis;
import dev.azrdpfix.core.guest.PlannedStep;
import dev.azrdpfix.core.guest.RepairOptions;
import dev.azrdpfix.core.guest.StepProperties;
import dev.azrdpfix.core.model.FindingId;
import dev.azrdpfix.simulator.guest.GuestRuntime.RunOutput;
import dev.azrdpfix.simulator.rdp.RdpBehaviour.Mode;
import dev.azrdpfix.template.PreparedScript;
import dev.azrdpfix.template.ResultParser;
import dev.azrdpfix.template.ResultStatus;
import dev.azrdpfix.template.StepCall;
import dev.azrdpfix.template.TemplateCatalog;
import dev.azrdpfix.template.TemplateResult;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The other side of the contract drives the guest: the tool's own template catalog, bundle composer, result parser
 * and analyzer, round after round, until the listener is healthy. A mismatch between the templates' Java side and
 * this guest model shows up here.
 */
class ToolPipelineTest {
  private static final StepProperties.Source STEPS = TemplateCatalog.load()::stepProperties;

  private static final TemplateCatalog CATALOG = TemplateCatalog.load();

  private static TemplateResult run(GuestRuntime g, PreparedScript script, Instant now) {
    RunOutput out = g.runPowerShell(script.lines(), script.parameters(), now);
    return ResultParser.parse(script.id(), out.stdout(), out.stderr());
  }

  @ParameterizedTest
  @ValueSource(strings = {"headline", "expired-cert", "machinekeys", "termservice-stopped", "rdp-disabled", "firewall",
      "tls-disabled", "clock-skew", "key-file-acl", "pinned-cert", "active-sessions", "machinekeys-corrupt-acl"})
  void the_tools_own_plan_repairs_every_fault(String fault) {
    GuestRuntime g = GuestCatalog.create("web-01", fault, NOW);
    RepairOptions options = new RepairOptions(true, false, Set.of());
    Instant now = NOW;
    List<String> history = new ArrayList<>();
    for (int round = 1; round <= 3; round++) {
      TemplateResult diag = run(g, CATALOG.prepare("diagnose", Map.of()), now);
      assertEquals(ResultStatus.OK, diag.status(), diag.toString());
      // The guest clock is what skews: the caller's clock is real time.
      GuestDiagnosis d = GuestAnalyzer.analyze(diag.facts(), now, now, options, STEPS);
      if (d.plan().isEmpty()) {
        break;
      }
      history.add(String.join(",", d.planIds()));
      String runId = String.format("20261123T05%02d00Z-run%03d", round, round);
      List<StepCall> calls = new ArrayList<>();
      for (PlannedStep s : d.plan()) {
        Map<String, String> p = new HashMap<>(s.params());
        if (CATALOG.get(s.templateId()).parameters().containsKey("RunId")) {
          p.put("RunId", runId);
        }
        calls.add(new StepCall(s.templateId(), p));
      }
      TemplateResult result = run(g, CATALOG.bundle(calls), now);
      assertFalse(result.failed(), fault + " round " + round + ": " + result);
      now = now.plus(Duration.ofMinutes(3));
      if (d.requiresReboot() || d.requiresReapply()) {
        g.restart(now);
      }
      if (d.requiresReapply()) {
        g.reapply(now);
      }
    }
    Mode mode = g.rdpBehaviour(now).mode();
    assertTrue(mode == Mode.HEALTHY_NLA || mode == Mode.HEALTHY_TLS, fault + " after " + history + ": " + mode);
    assertTrue(g.agentReady(), fault);
    assertEquals(Duration.ZERO, g.rdpBehaviour(now).clockSkew());
  }

  /**
   * A corrupt key store hidden behind a broken ACL (SYSTEM denied the key file): the first round adds only the
   * missing entries (folder and key file) and deletes nothing; then diagnose can tell (the key file's ACL lets SYSTEM
   * read it and the key still does not open) and the analyzer escalates to rename-machinekeys, behind its flag.
   */
  @org.junit.jupiter.api.Test
  void corrupt_machinekeys_behind_a_broken_acl_show_after_the_targeted_acl_repair() {
    GuestRuntime g = GuestCatalog.create("web-01", "machinekeys-corrupt-acl", NOW);
    TemplateResult diag = run(g, CATALOG.prepare("diagnose", Map.of()), NOW);
    GuestDiagnosis d = GuestAnalyzer.analyze(diag.facts(), NOW, NOW, RepairOptions.defaults(), STEPS);
    assertEquals(List.of("reset-machinekeys-acl", "repair-rdp-key-acl", "restart-rdp-services"), d.planIds());
    assertFalse(run(g, CATALOG.bundle(calls(d)), NOW).failed());
    TemplateResult again = run(g, CATALOG.prepare("diagnose", Map.of()), NOW);
    assertEquals(true, again.facts().machineKeys().corrupt(), again.toString());
    assertEquals(1, again.facts().certCount(), "nothing was deleted");
    GuestDiagnosis second = GuestAnalyzer.analyze(again.facts(), NOW, NOW, RepairOptions.defaults(), STEPS);
    assertTrue(second.blockedSteps().stream().anyMatch(b -> b.contains("--allow-machinekeys-rename")),
        second.toString());
    GuestDiagnosis allowed = GuestAnalyzer.analyze(again.facts(), NOW, NOW, new RepairOptions(true, false, Set.of()),
        STEPS);
    assertEquals(List.of("rename-machinekeys", "remove-rdp-certificates", "restart-rdp-services"), allowed.planIds());
  }

  @org.junit.jupiter.api.Test
  void after_an_acl_reset_the_analyzer_escalates_a_hidden_corrupt_key_store_to_the_rename() {
    GuestRuntime g = GuestCatalog.create("web-01", "machinekeys-corrupt-acl", NOW);
    TemplateResult diag = run(g, CATALOG.prepare("diagnose", Map.of()), NOW);
    GuestDiagnosis first = GuestAnalyzer.analyze(diag.facts(), NOW, NOW, RepairOptions.defaults(), STEPS);
    assertFalse(first.planIds().contains("rename-machinekeys"), "the broken ACL hides the corruption at first");
    List<StepCall> calls = calls(first);
    assertFalse(run(g, CATALOG.bundle(calls), NOW).failed());
    Instant later = NOW.plus(Duration.ofMinutes(3));
    g.restart(later);
    TemplateResult again = run(g, CATALOG.prepare("diagnose", Map.of()), later);
    GuestDiagnosis second = GuestAnalyzer.analyze(again.facts(), later, later, RepairOptions.defaults(), STEPS);
    assertTrue(second.findings().stream().anyMatch(f -> f.id() == FindingId.MACHINEKEYS_CORRUPT), second.toString());
    assertTrue(second.blockedSteps().stream().anyMatch(b -> b.contains("--allow-machinekeys-rename")),
        second.toString());
    GuestDiagnosis allowed = GuestAnalyzer.analyze(again.facts(), later, later, new RepairOptions(true, false,
        Set.of()), STEPS);
    assertTrue(allowed.planIds().contains("rename-machinekeys"), allowed.planIds().toString());
  }

  /** The plan as the tool sends it: each step with its parameters and the run id. */
  private static List<StepCall> calls(GuestDiagnosis d) {
    List<StepCall> calls = new ArrayList<>();
    for (PlannedStep s : d.plan()) {
      Map<String, String> p = new HashMap<>(s.params());
      p.put("RunId", Scripts.RUN_ID);
      calls.add(new StepCall(s.templateId(), p));
    }
    return calls;
  }
}
