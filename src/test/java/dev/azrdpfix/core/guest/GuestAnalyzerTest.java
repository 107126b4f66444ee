package dev.azrdpfix.core.guest;

import static dev.azrdpfix.core.guest.Facts.CALL_END;
import static dev.azrdpfix.core.guest.Facts.CALL_START;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.azrdpfix.core.AzrdpfixException;
import dev.azrdpfix.core.ExitCode;
import dev.azrdpfix.core.model.Severity;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The public entry: findings (see {@link GuestFindingsTest}) and plan (see {@link RepairPlannerTest}) in one
 * diagnosis, critical findings first.
 */
class GuestAnalyzerTest {

  private static GuestDiagnosis analyze(Facts f, RepairOptions o) {
    return GuestAnalyzer.analyze(f.build(), CALL_START, CALL_END, o);
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
    assertTrue(d.requiresReboot());
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
        CALL_END, new RepairOptions(false, false, Set.of("fix-everything"))));
    assertEquals(ExitCode.USAGE, e.exitCode());
    assertTrue(e.getMessage().contains("fix-everything"));
  }

  @Test
  void unknownFactsAreNotEvidence() {
    GuestFacts empty = new GuestFacts(null, null, null, null, null, null, null, null, null, null, null, null, null,
        null, null, null);
    GuestDiagnosis d = GuestAnalyzer.analyze(empty, CALL_START, CALL_END, RepairOptions.defaults());
    assertEquals(List.of(), d.findings());
    assertEquals(List.of(), d.plan());
  }
}
