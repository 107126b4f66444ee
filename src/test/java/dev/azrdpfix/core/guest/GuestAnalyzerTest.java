package dev.azrdpfix.core.guest;

import static dev.azrdpfix.core.guest.Facts.CALL_END;
import static dev.azrdpfix.core.guest.Facts.CALL_START;
import static dev.azrdpfix.core.guest.Facts.TP2;
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
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class GuestAnalyzerTest {
  private static final StepProperties.Source STEPS = TemplateCatalog.load()::stepProperties;


  private static GuestDiagnosis analyze(Facts f) {
    return GuestAnalyzer.analyze(f.build(), CALL_START, CALL_END, RepairOptions.defaults(), STEPS);
  }

  private static GuestDiagnosis analyze(Facts f, RepairOptions o) {
    return GuestAnalyzer.analyze(f.build(), CALL_START, CALL_END, o, STEPS);
  }

  private static Set<String> ids(GuestDiagnosis d) {
    return d.findings().stream().map(Finding::id).collect(Collectors.toSet());
  }

  private static Finding finding(GuestDiagnosis d, String id) {
    return d.findings().stream().filter(f -> f.id().equals(id)).findFirst()
        .orElseThrow(() -> new AssertionError("no finding " + id + " in " + ids(d)));
  }

  private static PlannedStep step(GuestDiagnosis d, String id) {
    return d.plan().stream().filter(s -> s.templateId().equals(id)).findFirst()
        .orElseThrow(() -> new AssertionError("no step " + id + " in " + d.planIds()));
  }

  @Test
  void healthyVmHasNoFindingAndAnEmptyPlan() {
    GuestDiagnosis d = analyze(Facts.healthy());
    assertEquals(List.of(), d.findings());
    assertEquals(List.of(), d.plan());
    assertEquals(List.of(), d.blockedSteps());
    assertFalse(d.blocksRdp());
  }

  @Test
  void headlineWeb01ResetsAclThenRenewsCertificateThenRestarts() {
    GuestDiagnosis d = analyze(Facts.headline());
    assertEquals(Set.of("machinekeys-acl-not-default", "rdp-certificate-expired", "rdp-certificate-key-unreadable",
        "schannel-key-errors"), ids(d));
    assertEquals(Severity.CRITICAL, finding(d, "machinekeys-acl-not-default").severity());
    assertTrue(finding(d, "machinekeys-acl-not-default").evidence().contains("O:BAG:SYD:PAI(A;;FA;;;BA)"));
    assertTrue(finding(d, "schannel-key-errors").evidence().contains("events.36870=12"));
    assertTrue(finding(d, "rdp-certificate-expired").evidence().contains(TP));
    assertEquals(List.of("reset-machinekeys-acl", "remove-rdp-certificates", "restart-rdp-services"), d.planIds());
    assertEquals(Map.of("Thumbprints", TP), step(d, "remove-rdp-certificates").params());
    // Exported first and re-imported by rollback, so it needs no flag of its own.
    assertFalse(step(d, "remove-rdp-certificates").destructive());
    // The folder repair takes effect when the services restart; no VM restart needed.
    assertFalse(step(d, "reset-machinekeys-acl").requiresReboot());
    assertTrue(d.blocksRdp());
    assertFalse(d.requiresReapply());
    assertEquals(List.of(), d.blockedSteps());
    // CRITICAL findings come first.
    assertEquals(Severity.CRITICAL, d.findings().get(0).severity());
  }

  @Test
  void expiredCertificateOnly() {
    Facts f = Facts.healthy();
    f.certs = List.of(Facts.cert(TP, CALL_START.minus(Duration.ofHours(1)), true));
    GuestDiagnosis d = analyze(f);
    assertEquals(Set.of("rdp-certificate-expired"), ids(d));
    assertEquals(List.of("remove-rdp-certificates", "restart-rdp-services"), d.planIds());
    assertEquals(TP, step(d, "remove-rdp-certificates").params().get("Thumbprints"));
  }

  @Test
  void expiryIsJudgedByTheCallersClockNotTheGuests() {
    Facts f = Facts.healthy();
    f.certs = List.of(Facts.cert(TP, CALL_START.minus(Duration.ofHours(1)), true));
    f.time = CALL_START.minus(Duration.ofHours(2)).toString();
    assertTrue(ids(analyze(f)).contains("rdp-certificate-expired"));
  }

  @Test
  void everyBadRemoteDesktopCertificateIsListedButNotAValidOne() {
    Facts f = Facts.healthy();
    String valid = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
    f.certs = List.of(Facts.cert(TP, CALL_START.minus(Duration.ofDays(1)), true),
        Facts.cert(TP2, CALL_START.minus(Duration.ofDays(400)), false),
        Facts.cert(valid, CALL_START.plus(Duration.ofDays(400)), true));
    GuestDiagnosis d = analyze(f);
    assertEquals(TP + "_" + TP2, step(d, "remove-rdp-certificates").params().get("Thumbprints"));
  }

  @Test
  void machineKeysAclOnly() {
    Facts f = Facts.healthy();
    f.sddl = "O:BAG:SYD:PAI(A;;FA;;;BA)";
    f.isDefault = false;
    GuestDiagnosis d = analyze(f);
    assertEquals(Set.of("machinekeys-acl-not-default"), ids(d));
    // Without evidence that the RDP key is affected it is a warning (extensions may still fail).
    assertEquals(Severity.WARNING, finding(d, "machinekeys-acl-not-default").severity());
    assertEquals(List.of("reset-machinekeys-acl", "restart-rdp-services"), d.planIds());
  }

  @Test
  void theDocumentedResetStateIsNotFlaggedAgain() {
    Facts f = Facts.healthy();
    f.sddl = "O:BAG:SYD:PAI(A;;FA;;;SY)(A;;FR;;;NS)(A;;FA;;;BA)";
    f.isDefault = false;
    f.grantsOk = true;
    assertEquals(List.of(), analyze(f).findings());
  }

  @Test
  void corruptMachineKeysNeedsTheRenameFlag() {
    Facts f = Facts.healthy();
    f.corrupt = true;
    f.rdpKeyReadable = false;
    f.certs = List.of(Facts.cert(TP, CALL_START.plus(Duration.ofDays(30)), false));
    f.events.put("1057", 4);
    GuestDiagnosis d = analyze(f);
    assertTrue(ids(d).containsAll(Set.of("machinekeys-corrupt", "rdp-certificate-key-unreadable",
        "schannel-key-errors")));
    assertEquals(List.of("remove-rdp-certificates", "restart-rdp-services"), d.planIds());
    assertEquals(1, d.blockedSteps().size());
    assertTrue(d.blockedSteps().get(0).contains("--allow-machinekeys-rename"), d.blockedSteps().get(0));

    GuestDiagnosis allowed = analyze(f, new RepairOptions(true, false, Set.of()));
    assertEquals(List.of("rename-machinekeys", "remove-rdp-certificates", "restart-rdp-services"),
        allowed.planIds());
    assertTrue(allowed.requiresReapply());
    assertTrue(step(allowed, "rename-machinekeys").destructive());
    assertEquals(List.of(), allowed.blockedSteps());
  }

  @Test
  void termServiceStoppedAndDisabled() {
    Facts f = Facts.healthy();
    f.services.put("TermService", new GuestFacts.Service("Stopped", "Disabled", "NT Authority\\NetworkService"));
    f.listenerProcess = null;
    f.listenerService = null;
    GuestDiagnosis d = analyze(f);
    assertEquals(Set.of("termservice-disabled", "termservice-not-running"), ids(d));
    assertEquals(List.of("restart-rdp-services"), d.planIds());
    assertTrue(finding(d, "termservice-disabled").evidence().contains("start=Disabled"));
  }

  @Test
  void rdpDisabledLocally() {
    Facts f = Facts.healthy();
    f.fDeny = 1;
    GuestDiagnosis d = analyze(f);
    assertEquals(Set.of("rdp-disabled"), ids(d));
    assertEquals(List.of("enable-remote-connections", "restart-rdp-services"), d.planIds());
  }

  @Test
  void rdpDisabledByPolicyIsRefreshedNotOverwritten() {
    Facts f = Facts.healthy();
    f.policyDeny = 1;
    f.gpo = List.of("fDenyTSConnections");
    f.domainJoined = true;
    f.domainName = "corp.example";
    GuestDiagnosis d = analyze(f);
    assertEquals(Set.of("rdp-disabled-by-policy", "domain-gpo-controls"), ids(d));
    assertEquals(Severity.WARNING, finding(d, "domain-gpo-controls").severity());
    assertEquals(List.of("refresh-policy"), d.planIds());
  }

  @Test
  void listenerDisabled() {
    Facts f = Facts.healthy();
    f.fEnableWinStation = 0;
    f.listenerProcess = null;
    f.listenerService = null;
    GuestDiagnosis d = analyze(f);
    assertEquals(Set.of("listener-disabled"), ids(d));
    assertEquals(List.of("enable-remote-connections", "restart-rdp-services"), d.planIds());
  }

  @Test
  void firewallRulesDisabledOnTheActiveProfile() {
    Facts f = Facts.healthy();
    f.rdpRules.put("Public", false);
    GuestDiagnosis d = analyze(f);
    assertEquals(Set.of("firewall-blocks-rdp"), ids(d));
    assertEquals(List.of("enable-rdp-firewall-rules"), d.planIds());
  }

  @Test
  void aRuleOffOnAnInactiveProfileDoesNotMatter() {
    Facts f = Facts.healthy();
    f.rdpRules.put("Domain", false);
    assertEquals(List.of(), analyze(f).findings());
  }

  @Test
  void blockAllInboundBlocksRdp() {
    Facts f = Facts.healthy();
    f.blockInbound = true;
    assertEquals(List.of("enable-rdp-firewall-rules"), analyze(f).planIds());
  }

  @Test
  void tls12ServerDisabled() {
    Facts f = Facts.healthy();
    f.tls12 = 0;
    GuestDiagnosis d = analyze(f);
    assertEquals(Set.of("tls-server-disabled"), ids(d));
    assertEquals(List.of("enable-tls-server"), d.planIds());
    assertTrue(d.requiresReboot());
  }

  @Test
  void clockSkewOfTwoHours() {
    Facts f = Facts.healthy();
    f.time = CALL_START.minus(Duration.ofHours(2)).toString();
    GuestDiagnosis d = analyze(f);
    assertEquals(Set.of("clock-skew"), ids(d));
    assertTrue(finding(d, "clock-skew").summary().contains("2 h"), finding(d, "clock-skew").summary());
    assertEquals(List.of("resync-time"), d.planIds());
  }

  @Test
  void clockWithinFiveMinutesOfTheCallWindowIsFine() {
    Facts f = Facts.healthy();
    f.time = CALL_START.minus(Duration.ofMinutes(4)).toString();
    assertEquals(List.of(), analyze(f).findings());
    f.time = CALL_END.plus(Duration.ofMinutes(4)).toString();
    assertEquals(List.of(), analyze(f).findings());
    f.time = CALL_END.plus(Duration.ofMinutes(6)).toString();
    assertEquals(Set.of("clock-skew"), ids(analyze(f)));
  }

  @Test
  void staleBindingIsClearedWithItsThumbprint() {
    Facts f = Facts.healthy();
    f.bindingTp = TP2;
    f.bindingFound = false;
    GuestDiagnosis d = analyze(f);
    assertEquals(Set.of("stale-certificate-binding"), ids(d));
    assertEquals(List.of("clear-stale-binding", "restart-rdp-services"), d.planIds());
    assertEquals(Map.of("Thumbprint", TP2), step(d, "clear-stale-binding").params());
  }

  @Test
  void portHeldByAnotherProcessAndNonstandardPort() {
    Facts f = Facts.healthy();
    f.listenerProcess = "java";
    f.listenerService = null;
    f.port = 3390;
    f.listenerPort = 3390;
    GuestDiagnosis d = analyze(f);
    assertEquals(Set.of("rdp-port-held-by-other-process", "rdp-port-nonstandard"), ids(d));
    assertEquals(Severity.INFO, finding(d, "rdp-port-nonstandard").severity());
    assertTrue(finding(d, "rdp-port-nonstandard").nextStep().contains("3390"));
    assertEquals(List.of(), d.planIds());
  }

  @Test
  void securityWarningsAreReportedButNeverRepaired() {
    Facts f = Facts.healthy();
    f.userAuthentication = 0;
    f.securityLayer = 0;
    f.fips = 1;
    f.mtu = 1400;
    GuestDiagnosis d = analyze(f);
    assertEquals(Set.of("nla-disabled", "security-layer-rdp", "fips-enabled", "mtu-nonstandard"), ids(d));
    assertTrue(d.findings().stream().allMatch(x -> x.severity() == Severity.WARNING));
    assertEquals(List.of(), d.plan());
    assertFalse(d.blocksRdp());
  }

  @Test
  void termServiceHungIsReportedAndRestarted() {
    Facts f = Facts.healthy();
    f.events.put("7022", 1);
    GuestDiagnosis d = analyze(f);
    assertEquals(Set.of("termservice-hung"), ids(d));
    assertEquals(Severity.WARNING, finding(d, "termservice-hung").severity());
    assertEquals(List.of("restart-rdp-services"), d.planIds());
  }

  @Test
  void sessionEnvStoppedIsAWarning() {
    Facts f = Facts.healthy();
    f.services.put("SessionEnv", new GuestFacts.Service("Stopped", "Manual", "localSystem"));
    GuestDiagnosis d = analyze(f);
    assertEquals(Set.of("sessionenv-not-running"), ids(d));
    assertEquals(List.of(), d.plan());
  }

  @Test
  void disableNlaRunsOnlyWhenAskedAndAllowed() {
    Facts f = Facts.healthy();
    assertEquals(List.of(), analyze(f, new RepairOptions(false, true, Set.of())).plan());
    GuestDiagnosis notAllowed = analyze(f, new RepairOptions(false, false, Set.of("disable-nla")));
    assertEquals(List.of(), notAllowed.plan());
    assertTrue(notAllowed.blockedSteps().get(0).contains("--allow-disable-nla"));
    GuestDiagnosis allowed = analyze(f, new RepairOptions(false, true, Set.of("disable-nla")));
    assertEquals(List.of("disable-nla"), allowed.planIds());
  }

  @Test
  void onlyStepsRestrictsTheDiagnosedPlan() {
    GuestDiagnosis d = analyze(Facts.headline(), new RepairOptions(false, false, Set.of("restart-rdp-services")));
    assertEquals(List.of("restart-rdp-services"), d.planIds());
    // The findings are still all reported.
    assertTrue(ids(d).contains("machinekeys-acl-not-default"));
  }

  @Test
  void onlyStepsSelectsStepsWithoutEvidenceInDocumentedOrder() {
    GuestDiagnosis d = analyze(Facts.healthy(),
        new RepairOptions(true, false, Set.of("restart-rdp-services", "remove-rdp-certificates", "rename-machinekeys")));
    assertEquals(List.of("rename-machinekeys", "remove-rdp-certificates", "restart-rdp-services"), d.planIds());
    // Explicit removal lists every Remote Desktop certificate; the template keeps the healthy ones.
    assertEquals(TP, step(d, "remove-rdp-certificates").params().get("Thumbprints"));
  }

  @Test
  void onlyStepsWithAnUnknownIdIsAUsageError() {
    AzrdpfixException e = assertThrows(AzrdpfixException.class,
        () -> analyze(Facts.healthy(), new RepairOptions(false, false, Set.of("fix-everything"))));
    assertEquals(ExitCode.USAGE, e.exitCode());
    assertTrue(e.getMessage().contains("fix-everything"));
  }

  @Test
  void everythingBrokenPlansInTheDocumentedOrder() {
    Facts f = Facts.headline();
    f.bindingTp = TP2;
    f.bindingFound = false;
    f.tls12 = 0;
    f.fDeny = 1;
    f.policyDeny = 1;
    f.rdpRules.put("Public", false);
    f.time = CALL_START.minus(Duration.ofHours(3)).toString();
    f.corrupt = true;
    GuestDiagnosis d = analyze(f, new RepairOptions(true, false, Set.of()));
    assertEquals(List.of("resync-time", "clear-stale-binding", "reset-machinekeys-acl", "rename-machinekeys",
        "remove-rdp-certificates", "enable-tls-server", "enable-remote-connections", "enable-rdp-firewall-rules",
        "refresh-policy", "restart-rdp-services"), d.planIds());
    List<String> order = RepairSteps.ids();
    for (int i = 1; i < d.plan().size(); i++) {
      assertTrue(order.indexOf(d.planIds().get(i - 1)) < order.indexOf(d.planIds().get(i)));
    }
  }

  @Test
  void everyDocumentedFindingIdCanBeProduced() {
    Set<String> seen = new HashSet<>();
    Facts all = Facts.headline();
    all.bindingTp = TP2;
    all.bindingFound = false;
    all.corrupt = true;
    all.services.put("TermService", new GuestFacts.Service("Stopped", "Disabled", null));
    all.services.put("SessionEnv", new GuestFacts.Service("Stopped", "Manual", null));
    all.fDeny = 1;
    all.policyDeny = 1;
    all.fEnableWinStation = 0;
    all.listenerProcess = "nginx";
    all.listenerService = null;
    all.port = 3390;
    all.rdpRules.put("Public", false);
    all.tls12 = 0;
    all.fips = 1;
    all.userAuthentication = 0;
    all.securityLayer = 0;
    all.time = CALL_START.plus(Duration.ofHours(2)).toString();
    all.events.put("7022", 2);
    all.domainJoined = true;
    all.domainName = "corp.example";
    all.gpo = List.of("fDenyTSConnections");
    all.mtu = 9000;
    analyze(all).findings().forEach(x -> seen.add(x.id()));
    assertTrue(seen.containsAll(Set.of("rdp-certificate-expired", "rdp-certificate-key-unreadable",
        "stale-certificate-binding", "machinekeys-acl-not-default", "machinekeys-corrupt", "termservice-not-running",
        "termservice-disabled", "sessionenv-not-running", "rdp-disabled", "rdp-disabled-by-policy",
        "listener-disabled", "rdp-port-held-by-other-process", "rdp-port-nonstandard", "firewall-blocks-rdp",
        "tls-server-disabled", "fips-enabled", "nla-disabled", "security-layer-rdp", "clock-skew",
        "schannel-key-errors", "termservice-hung", "domain-gpo-controls", "mtu-nonstandard")), seen.toString());
    for (Finding x : analyze(all).findings()) {
      assertFalse(x.evidence() == null || x.evidence().isBlank(), x.id());
      assertFalse(x.nextStep() == null || x.nextStep().isBlank(), x.id());
    }
  }

  @Test
  void unknownFactsAreNotEvidence() {
    GuestFacts empty = new GuestFacts(null, null, null, null, null, null, null, null, null, null, null, null, null,
        null, null, null, null, null, null);
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
