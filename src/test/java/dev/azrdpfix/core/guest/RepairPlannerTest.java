package dev.azrdpfix.core.guest;

import static dev.azrdpfix.core.guest.Facts.CALL_END;
import static dev.azrdpfix.core.guest.Facts.CALL_START;
import static dev.azrdpfix.core.guest.Facts.TP;
import static dev.azrdpfix.core.guest.Facts.TP2;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.azrdpfix.core.AzrdpfixException;
import dev.azrdpfix.core.ExitCode;
import dev.azrdpfix.template.TemplateCatalog;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** From what the findings asked for and what the user allowed to the plan: order, restarts, flags, blocked steps. */
class RepairPlannerTest {
  private static final StepProperties.Source STEPS = TemplateCatalog.load()::stepProperties;

  private static RepairPlanner.Plan plan(Facts f) {
    return plan(f, RepairOptions.defaults());
  }

  private static RepairPlanner.Plan plan(Facts f, RepairOptions o) {
    GuestFacts facts = f.build();
    return RepairPlanner.plan(GuestFindings.read(facts, CALL_START, CALL_END), facts, o, STEPS);
  }

  private static List<String> ids(RepairPlanner.Plan p) {
    return p.steps().stream().map(PlannedStep::templateId).toList();
  }

  private static PlannedStep step(RepairPlanner.Plan p, String id) {
    return p.steps().stream().filter(s -> s.templateId().equals(id)).findFirst()
        .orElseThrow(() -> new AssertionError("no step " + id + " in " + ids(p)));
  }

  @Test
  void healthyVmGetsAnEmptyPlan() {
    RepairPlanner.Plan p = plan(Facts.healthy());
    assertEquals(List.of(), p.steps());
    assertEquals(List.of(), p.blocked());
  }

  @Test
  void headlineWeb01ResetsAclThenRenewsCertificateThenRestarts() {
    RepairPlanner.Plan p = plan(Facts.headline());
    assertEquals(List.of("reset-machinekeys-acl", "remove-rdp-certificates", "restart-rdp-services"), ids(p));
    assertEquals(Map.of("Thumbprints", TP), step(p, "remove-rdp-certificates").params());
    // Exported first and re-imported by rollback, so it needs no flag of its own.
    assertFalse(step(p, "remove-rdp-certificates").destructive());
    // The folder repair takes effect when the services restart; no VM restart needed.
    assertFalse(step(p, "reset-machinekeys-acl").requiresReboot());
    assertTrue(p.steps().stream().noneMatch(PlannedStep::requiresReapply));
    assertEquals(List.of(), p.blocked());
    assertEquals("after remove-rdp-certificates, reset-machinekeys-acl", step(p, "restart-rdp-services").reason());
  }

  @Test
  void expiredCertificateOnly() {
    Facts f = Facts.healthy();
    f.certs = List.of(Facts.cert(TP, CALL_START.minus(Duration.ofHours(1)), true));
    RepairPlanner.Plan p = plan(f);
    assertEquals(List.of("remove-rdp-certificates", "restart-rdp-services"), ids(p));
    assertEquals(TP, step(p, "remove-rdp-certificates").params().get("Thumbprints"));
  }

  @Test
  void machineKeysAclOnly() {
    Facts f = Facts.healthy();
    f.sddl = "O:BAG:SYD:PAI(A;;FA;;;BA)";
    f.isDefault = false;
    assertEquals(List.of("reset-machinekeys-acl", "restart-rdp-services"), ids(plan(f)));
  }

  @Test
  void corruptMachineKeysNeedsTheRenameFlag() {
    Facts f = Facts.healthy();
    f.corrupt = true;
    f.rdpKeyReadable = false;
    f.certs = List.of(Facts.cert(TP, CALL_START.plus(Duration.ofDays(30)), false));
    f.events.put("1057", 4);
    RepairPlanner.Plan p = plan(f);
    assertEquals(List.of("remove-rdp-certificates", "restart-rdp-services"), ids(p));
    assertEquals(1, p.blocked().size());
    assertTrue(p.blocked().get(0).contains("--allow-machinekeys-rename"), p.blocked().get(0));

    RepairPlanner.Plan allowed = plan(f, new RepairOptions(true, false, Set.of()));
    assertEquals(List.of("rename-machinekeys", "remove-rdp-certificates", "restart-rdp-services"), ids(allowed));
    assertTrue(allowed.steps().stream().anyMatch(PlannedStep::requiresReapply));
    assertTrue(step(allowed, "rename-machinekeys").destructive());
    assertEquals(List.of(), allowed.blocked());
  }

  @Test
  void termServiceStoppedAndDisabled() {
    Facts f = Facts.healthy();
    f.services.put("TermService", new GuestFacts.Service("Stopped", "Disabled", "NT Authority\\NetworkService"));
    f.listenerProcess = null;
    f.listenerService = null;
    RepairPlanner.Plan p = plan(f);
    assertEquals(List.of("restart-rdp-services"), ids(p));
    assertEquals("TermService is disabled", step(p, "restart-rdp-services").reason());
  }

  @Test
  void rdpDisabledLocally() {
    Facts f = Facts.healthy();
    f.fDeny = 1;
    assertEquals(List.of("enable-remote-connections", "restart-rdp-services"), ids(plan(f)));
  }

  @Test
  void rdpDisabledByPolicyIsRefreshedNotOverwritten() {
    Facts f = Facts.healthy();
    f.policyDeny = 1;
    f.gpo = List.of("fDenyTSConnections");
    f.domainJoined = true;
    f.domainName = "corp.example";
    assertEquals(List.of("refresh-policy"), ids(plan(f)));
  }

  @Test
  void listenerDisabled() {
    Facts f = Facts.healthy();
    f.fEnableWinStation = 0;
    f.listenerProcess = null;
    f.listenerService = null;
    assertEquals(List.of("enable-remote-connections", "restart-rdp-services"), ids(plan(f)));
  }

  @Test
  void firewallRulesDisabledOnTheActiveProfile() {
    Facts f = Facts.healthy();
    f.rdpRules.put("Public", false);
    assertEquals(List.of("enable-rdp-firewall-rules"), ids(plan(f)));
  }

  @Test
  void blockAllInboundBlocksRdp() {
    Facts f = Facts.healthy();
    f.blockInbound = true;
    assertEquals(List.of("enable-rdp-firewall-rules"), ids(plan(f)));
  }

  @Test
  void tls12ServerDisabled() {
    Facts f = Facts.healthy();
    f.tls12 = 0;
    RepairPlanner.Plan p = plan(f);
    assertEquals(List.of("enable-tls-server"), ids(p));
    assertTrue(p.steps().stream().anyMatch(PlannedStep::requiresReboot));
  }

  @Test
  void clockSkewOfTwoHours() {
    Facts f = Facts.healthy();
    f.time = CALL_START.minus(Duration.ofHours(2)).toString();
    assertEquals(List.of("resync-time"), ids(plan(f)));
  }

  @Test
  void staleBindingIsClearedWithItsThumbprint() {
    Facts f = Facts.healthy();
    f.bindingTp = TP2;
    f.bindingFound = false;
    RepairPlanner.Plan p = plan(f);
    assertEquals(List.of("clear-stale-binding", "restart-rdp-services"), ids(p));
    assertEquals(Map.of("Thumbprint", TP2), step(p, "clear-stale-binding").params());
  }

  @Test
  void portHeldByAnotherProcessAndNonstandardPort() {
    Facts f = Facts.healthy();
    f.listenerProcess = "java";
    f.listenerService = null;
    f.port = 3390;
    f.listenerPort = 3390;
    assertEquals(List.of(), ids(plan(f)));
  }

  @Test
  void securityWarningsAreReportedButNeverRepaired() {
    Facts f = Facts.healthy();
    f.userAuthentication = 0;
    f.securityLayer = 0;
    f.fips = 1;
    f.mtu = 1400;
    assertEquals(List.of(), plan(f).steps());
  }

  @Test
  void termServiceHungIsRestarted() {
    Facts f = Facts.healthy();
    f.events.put("7022", 1);
    assertEquals(List.of("restart-rdp-services"), ids(plan(f)));
  }

  @Test
  void sessionEnvStoppedIsNotRepaired() {
    Facts f = Facts.healthy();
    f.services.put("SessionEnv", new GuestFacts.Service("Stopped", "Manual", "localSystem"));
    assertEquals(List.of(), plan(f).steps());
  }

  @Test
  void disableNlaRunsOnlyWhenAskedAndAllowed() {
    Facts f = Facts.healthy();
    assertEquals(List.of(), plan(f, new RepairOptions(false, true, Set.of())).steps());
    RepairPlanner.Plan notAllowed = plan(f, new RepairOptions(false, false, Set.of("disable-nla")));
    assertEquals(List.of(), notAllowed.steps());
    assertTrue(notAllowed.blocked().get(0).contains("--allow-disable-nla"));
    RepairPlanner.Plan allowed = plan(f, new RepairOptions(false, true, Set.of("disable-nla")));
    assertEquals(List.of("disable-nla"), ids(allowed));
  }

  @Test
  void onlyStepsRestrictsTheDiagnosedPlan() {
    RepairPlanner.Plan p = plan(Facts.headline(), new RepairOptions(false, false, Set.of("restart-rdp-services")));
    assertEquals(List.of("restart-rdp-services"), ids(p));
  }

  @Test
  void onlyStepsSelectsStepsWithoutEvidenceInDocumentedOrder() {
    RepairPlanner.Plan p = plan(Facts.healthy(), new RepairOptions(true, false,
        Set.of("restart-rdp-services", "remove-rdp-certificates", "rename-machinekeys")));
    assertEquals(List.of("rename-machinekeys", "remove-rdp-certificates", "restart-rdp-services"), ids(p));
    // Explicit removal lists every Remote Desktop certificate; the template keeps the healthy ones.
    assertEquals(TP, step(p, "remove-rdp-certificates").params().get("Thumbprints"));
    assertEquals("selected explicitly", step(p, "remove-rdp-certificates").reason());
  }

  @Test
  void anExplicitBindingClearNeedsABinding() {
    RepairPlanner.Plan p = plan(Facts.healthy(), new RepairOptions(false, false, Set.of("clear-stale-binding")));
    assertEquals(List.of(), p.steps());
    assertEquals(List.of("clear-stale-binding needs a certificate binding, and RDP-Tcp has none"), p.blocked());
  }

  @Test
  void onlyStepsWithAnUnknownIdIsAUsageError() {
    AzrdpfixException e = assertThrows(AzrdpfixException.class,
        () -> plan(Facts.healthy(), new RepairOptions(false, false, Set.of("fix-everything"))));
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
    RepairPlanner.Plan p = plan(f, new RepairOptions(true, false, Set.of()));
    // Time first, so that certificate expiry is judged on a sane clock.
    assertEquals(List.of("resync-time", "clear-stale-binding", "reset-machinekeys-acl", "rename-machinekeys",
        "remove-rdp-certificates", "enable-tls-server", "enable-remote-connections", "enable-rdp-firewall-rules",
        "refresh-policy", "restart-rdp-services"), ids(p));
    List<String> order = RepairSteps.ids();
    for (int i = 1; i < p.steps().size(); i++) {
      assertTrue(order.indexOf(ids(p).get(i - 1)) < order.indexOf(ids(p).get(i)));
    }
  }
}
