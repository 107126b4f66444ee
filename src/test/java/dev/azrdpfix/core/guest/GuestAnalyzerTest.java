package dev.azrdpfix.core.guest;

import static dev.azrdpfix.core.guest.Facts.CALL_END;
import static dev.azrdpfix.core.guest.Facts.CALL_START;
import static dev.azrdpfix.core.guest.Facts.TP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.azrdpfix.core.AzrdpfixException;
import dev.azrdpfix.core.ExitCode;
import dev.azrdpfix.core.model.Finding;
import dev.azrdpfix.core.model.Severity;
import dev.azrdpfix.template.TemplateCatalog;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The public entry: findings (see {@link GuestFindingsTest}) and plan (see {@link RepairPlannerTest}) in one
 * diagnosis, critical findings first.
 */
class GuestAnalyzerTest {
  private static final StepProperties.Source STEPS = TemplateCatalog.load()::stepProperties;

  private static GuestDiagnosis analyze(Facts f) {
    return analyze(f, RepairOptions.defaults());
  }

  private static PlannedStep step(GuestDiagnosis d, String id) {
    return d.plan().stream().filter(s -> s.templateId().equals(id)).findFirst().orElseThrow(() -> new AssertionError(
        "no step " + id + " in " + d.planIds()));
  }

  private static Finding finding(GuestDiagnosis d, String id) {
    return d.findings().stream().filter(f -> f.id().id().equals(id)).findFirst().orElseThrow(() -> new AssertionError(
        "no finding " + id + " in " + ids(d)));
  }

  private static GuestDiagnosis analyze(Facts f, RepairOptions o) {
    return GuestAnalyzer.analyze(f.build(), CALL_START, CALL_END, o, STEPS);
  }

  private static Set<String> ids(GuestDiagnosis d) {
    return d.findings().stream().map(f -> f.id().id()).collect(Collectors.toSet());
  }

  @Test
  void healthyVmHasNoFindingAndAnEmptyPlan() {
    GuestDiagnosis d = analyze(Facts.healthy(), RepairOptions.defaults());
    assertEquals(List.of(), d.findings());
    assertEquals(List.of(), d.plan());
    assertEquals(List.of(), d.blockedSteps());
    assertFalse(d.blocksRdp());
  }

  @Test
  void headlineWeb01CombinesFindingsAndPlanCriticalFirst() {
    GuestDiagnosis d = analyze(Facts.headline(), null);
    assertEquals(Set.of("machinekeys-acl-not-default", "rdp-certificate-expired", "rdp-certificate-key-unreadable",
        "schannel-key-errors"), ids(d));
    assertEquals(List.of("reset-machinekeys-acl", "remove-rdp-certificates", "restart-rdp-services"), d.planIds());
    // The whole headline repair takes effect with a service restart: no VM reboot.
    assertFalse(d.requiresReboot());
    assertFalse(d.requiresReapply());
    assertTrue(d.blocksRdp());
    // CRITICAL findings come first, in the order the rules produced them; the warning last.
    assertEquals(List.of("rdp-certificate-expired", "rdp-certificate-key-unreadable", "machinekeys-acl-not-default",
        "schannel-key-errors"), d.findings().stream().map(f -> f.id().id()).toList());
    assertEquals(Severity.CRITICAL, d.findings().get(0).severity());
  }

  @Test
  void onlyStepsRestrictsThePlanButNotTheFindings() {
    GuestDiagnosis d = analyze(Facts.headline(), new RepairOptions(false, false, Set.of("restart-rdp-services")));
    assertEquals(List.of("restart-rdp-services"), d.planIds());
    // The findings are still all reported.
    assertTrue(ids(d).contains("machinekeys-acl-not-default"));
  }

  @Test
  void onlyStepsWithAnUnknownIdIsAUsageErrorEvenWithoutFacts() {
    AzrdpfixException e = assertThrows(AzrdpfixException.class, () -> GuestAnalyzer.analyze(null, CALL_START,
        CALL_END, new RepairOptions(false, false, Set.of("fix-everything")), STEPS));
    assertEquals(ExitCode.USAGE, e.exitCode());
    assertTrue(e.getMessage().contains("fix-everything"));
  }

  @Test
  void unknownFactsAreNotEvidence() {
    GuestFacts empty = new GuestFacts(null, null, null, null, null, null, null, null, null, null, null, null, null,
        null, null, null, null, null, null, null);
    GuestDiagnosis d = GuestAnalyzer.analyze(empty, CALL_START, CALL_END, RepairOptions.defaults(), STEPS);
    assertEquals(List.of(), d.findings());
    assertEquals(List.of(), d.plan());
  }

  @Test
  void aValidCertificateWhoseKeyFileLacksEntriesGetsTheTargetedRepairNotADeletion() {
    Facts f = Facts.healthy();
    f.certs = List.of(Facts.cert(TP, CALL_START.plus(Duration.ofDays(90)), false));
    f.rdpKeyReadable = false;
    f.rdpKey = new GuestFacts.RdpKey(TP, "wmi", "CAPI", "f686aace_x", "O:SYG:SYD:(A;;FA;;;SY)",
        List.of("S-1-5-20", "S-1-5-80-4022436659-1090538466-1613889075-870485073-3428993833"), true);
    GuestDiagnosis d = analyze(f);
    assertEquals(List.of("repair-rdp-key-acl", "restart-rdp-services"), d.planIds());
    assertEquals(Map.of("Thumbprint", TP), step(d, "repair-rdp-key-acl").params());
    assertTrue(finding(d, "rdp-certificate-key-unreadable").evidence().contains("S-1-5-20"));
    assertFalse(d.planIds().contains("remove-rdp-certificates"));
    assertFalse(d.plan().stream().anyMatch(PlannedStep::requiresReboot), "a service restart applies it");
  }

  @Test
  void missingEntriesAloneAreEvidenceEvenWhenTheReadabilityCheckSaidYes() {
    Facts f = Facts.healthy();
    f.rdpKey = new GuestFacts.RdpKey(TP, "newest", "CAPI", "f686aace_x", "O:SYG:SYD:(A;;FA;;;SY)(A;;FR;;;NS)",
        List.of("deny:S-1-5-20"), true);
    assertEquals(List.of("repair-rdp-key-acl", "restart-rdp-services"), analyze(f).planIds());
  }

  @Test
  void signedInSessionsAndBlockRulesAreReported() {
    Facts f = Facts.healthy();
    f.sessions = 2;
    f.blockRules = 1;
    GuestDiagnosis d = analyze(f);
    assertEquals(Severity.INFO, finding(d, "active-rdp-sessions").severity());
    assertTrue(finding(d, "active-rdp-sessions").nextStep().contains("drops them"));
    assertEquals(Severity.CRITICAL, finding(d, "firewall-block-rule").severity());
    assertEquals(List.of(), d.planIds(), "azrdpfix deletes no firewall rule and restarts nothing for sessions");
  }

  @Test
  void theManifestDecidesWhichStepsEndWithAServiceRestart() {
    Facts f = Facts.healthy();
    f.fDeny = 1;
    assertEquals(List.of("enable-remote-connections", "restart-rdp-services"), analyze(f).planIds());
    Facts g = Facts.healthy();
    g.rdpRules.put("Public", false);
    assertEquals(List.of("enable-rdp-firewall-rules"), analyze(g).planIds());
  }

  @Test
  void tls12DisabledByDefaultIsPlannedLikeDisabled() {
    Facts f = Facts.healthy();
    f.tls12Off = 1;
    GuestDiagnosis d = analyze(f);
    assertTrue(finding(d, "tls-server-disabled").evidence().contains("tlsDisabledByDefault.1.2=1"));
    assertEquals(List.of("enable-tls-server"), d.planIds());
  }

  @Test
  void learnsOtherSwitchesArePlannedAndAnAdapterBindingIsReported() {
    Facts f = Facts.healthy();
    f.tsEnabled = 0;
    f.fLogonDisabled = 1;
    f.lanAdapter = 2;
    GuestDiagnosis d = analyze(f);
    assertEquals("registry.TSEnabled=0, registry.fLogonDisabled=1", finding(d, "rdp-switch-off").evidence());
    assertEquals(Severity.WARNING, finding(d, "rdp-bound-to-one-adapter").severity());
    assertEquals(List.of("enable-remote-connections", "restart-rdp-services"), d.planIds());
  }
}
