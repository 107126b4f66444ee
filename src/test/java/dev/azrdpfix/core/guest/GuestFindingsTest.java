package dev.azrdpfix.core.guest;

import static dev.azrdpfix.core.guest.Facts.CALL_END;
import static dev.azrdpfix.core.guest.Facts.CALL_START;
import static dev.azrdpfix.core.guest.Facts.TP;
import static dev.azrdpfix.core.guest.Facts.TP2;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.azrdpfix.core.model.Finding;
import dev.azrdpfix.core.model.Severity;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Facts to findings, and the steps each piece of evidence asks for (before any planning). */
class GuestFindingsTest {

  private static GuestFindings.Result read(Facts f) {
    return GuestFindings.read(f.build(), CALL_START, CALL_END);
  }

  private static Set<String> ids(GuestFindings.Result r) {
    return r.findings().stream().map(f -> f.id().id()).collect(Collectors.toSet());
  }

  private static Finding finding(GuestFindings.Result r, String id) {
    return r.findings().stream().filter(f -> f.id().id().equals(id)).findFirst()
        .orElseThrow(() -> new AssertionError("no finding " + id + " in " + ids(r)));
  }

  private static StepRequest requested(GuestFindings.Result r, String step) {
    StepRequest s = r.requested().get(step);
    if (s == null) {
      throw new AssertionError("no request for " + step + " in " + r.requested().keySet());
    }
    return s;
  }

  @Test
  void healthyVmHasNoFindingAndAsksForNoStep() {
    GuestFindings.Result r = read(Facts.healthy());
    assertEquals(List.of(), r.findings());
    assertEquals(Map.of(), r.requested());
    assertNull(r.restartReason());
  }

  @Test
  void headlineWeb01() {
    GuestFindings.Result r = read(Facts.headline());
    assertEquals(Set.of("machinekeys-acl-not-default", "rdp-certificate-expired", "rdp-certificate-key-unreadable",
        "schannel-key-errors"), ids(r));
    assertEquals(Severity.CRITICAL, finding(r, "machinekeys-acl-not-default").severity());
    assertTrue(finding(r, "machinekeys-acl-not-default").evidence().contains("O:BAG:SYD:PAI(A;;FA;;;BA)"));
    assertTrue(finding(r, "schannel-key-errors").evidence().contains("events.36870=12"));
    assertTrue(finding(r, "rdp-certificate-expired").evidence().contains(TP));
    assertEquals(Map.of("Thumbprints", TP), requested(r, "remove-rdp-certificates").params());
  }

  @Test
  void expiredCertificateOnly() {
    Facts f = Facts.healthy();
    f.certs = List.of(Facts.cert(TP, CALL_START.minus(Duration.ofHours(1)), true));
    GuestFindings.Result r = read(f);
    assertEquals(Set.of("rdp-certificate-expired"), ids(r));
    assertEquals(TP, requested(r, "remove-rdp-certificates").params().get("Thumbprints"));
  }

  @Test
  void expiryIsJudgedByTheCallersClockNotTheGuests() {
    Facts f = Facts.healthy();
    f.certs = List.of(Facts.cert(TP, CALL_START.minus(Duration.ofHours(1)), true));
    f.time = CALL_START.minus(Duration.ofHours(2)).toString();
    assertTrue(ids(read(f)).contains("rdp-certificate-expired"));
  }

  @Test
  void everyBadRemoteDesktopCertificateIsListedButNotAValidOne() {
    Facts f = Facts.healthy();
    String valid = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
    f.certs = List.of(Facts.cert(TP, CALL_START.minus(Duration.ofDays(1)), true),
        Facts.cert(TP2, CALL_START.minus(Duration.ofDays(400)), false),
        Facts.cert(valid, CALL_START.plus(Duration.ofDays(400)), true));
    assertEquals(TP + "_" + TP2, requested(read(f), "remove-rdp-certificates").params().get("Thumbprints"));
  }

  @Test
  void thumbprintsFromTheGuestAreNormalisedAndUnreadableOnesSkipped() {
    Facts f = Facts.healthy();
    f.certs = List.of(Facts.cert(TP.toLowerCase(), CALL_START.minus(Duration.ofDays(1)), true),
        Facts.cert(null, CALL_START.minus(Duration.ofDays(1)), true),
        Facts.cert("not-a-thumbprint", CALL_START.minus(Duration.ofDays(1)), true));
    f.certCount = 3;
    assertEquals(TP, requested(read(f), "remove-rdp-certificates").params().get("Thumbprints"));

    Facts bound = Facts.healthy();
    bound.bindingTp = TP2.toLowerCase();
    bound.bindingFound = false;
    assertEquals(Map.of("Thumbprint", TP2), requested(read(bound), "clear-stale-binding").params());
  }

  @Test
  void machineKeysAclOnly() {
    Facts f = Facts.healthy();
    f.sddl = "O:BAG:SYD:PAI(A;;FA;;;BA)";
    f.isDefault = false;
    GuestFindings.Result r = read(f);
    assertEquals(Set.of("machinekeys-acl-not-default"), ids(r));
    // Without evidence that the RDP key is affected it is a warning (extensions may still fail).
    assertEquals(Severity.WARNING, finding(r, "machinekeys-acl-not-default").severity());
    assertEquals(Set.of("reset-machinekeys-acl"), r.requested().keySet());
  }

  @Test
  void theDocumentedResetStateIsNotFlaggedAgain() {
    Facts f = Facts.healthy();
    f.sddl = "O:BAG:SYD:PAI(A;;FA;;;SY)(A;;FR;;;NS)(A;;FA;;;BA)";
    f.isDefault = false;
    f.grantsOk = true;
    assertEquals(List.of(), read(f).findings());
  }

  @Test
  void corruptMachineKeysAsksForTheRename() {
    Facts f = Facts.healthy();
    f.corrupt = true;
    f.rdpKeyReadable = false;
    f.certs = List.of(Facts.cert(TP, CALL_START.plus(Duration.ofDays(30)), false));
    f.events.put("1057", 4);
    GuestFindings.Result r = read(f);
    assertTrue(ids(r).containsAll(Set.of("machinekeys-corrupt", "rdp-certificate-key-unreadable",
        "schannel-key-errors")));
    assertEquals(Set.of("rename-machinekeys", "remove-rdp-certificates"), r.requested().keySet());
  }

  @Test
  void termServiceStoppedAndDisabled() {
    Facts f = Facts.healthy();
    f.services.put("TermService", new GuestFacts.Service("Stopped", "Disabled", "NT Authority\\NetworkService"));
    f.listenerProcess = null;
    f.listenerService = null;
    GuestFindings.Result r = read(f);
    assertEquals(Set.of("termservice-disabled", "termservice-not-running"), ids(r));
    assertTrue(finding(r, "termservice-disabled").evidence().contains("start=Disabled"));
    assertEquals("TermService is disabled", r.restartReason());
  }

  @Test
  void rdpDisabledLocally() {
    Facts f = Facts.healthy();
    f.fDeny = 1;
    GuestFindings.Result r = read(f);
    assertEquals(Set.of("rdp-disabled"), ids(r));
    assertEquals(Set.of("enable-remote-connections"), r.requested().keySet());
  }

  @Test
  void rdpDisabledByPolicyIsRefreshedNotOverwritten() {
    Facts f = Facts.healthy();
    f.policyDeny = 1;
    f.gpo = List.of("fDenyTSConnections");
    f.domainJoined = true;
    f.domainName = "corp.example";
    GuestFindings.Result r = read(f);
    assertEquals(Set.of("rdp-disabled-by-policy", "domain-gpo-controls"), ids(r));
    assertEquals(Severity.WARNING, finding(r, "domain-gpo-controls").severity());
    assertEquals(Set.of("refresh-policy"), r.requested().keySet());
  }

  @Test
  void listenerDisabled() {
    Facts f = Facts.healthy();
    f.fEnableWinStation = 0;
    f.listenerProcess = null;
    f.listenerService = null;
    GuestFindings.Result r = read(f);
    assertEquals(Set.of("listener-disabled"), ids(r));
    assertEquals(Set.of("enable-remote-connections"), r.requested().keySet());
  }

  @Test
  void firewallRulesDisabledOnTheActiveProfile() {
    Facts f = Facts.healthy();
    f.rdpRules.put("Public", false);
    GuestFindings.Result r = read(f);
    assertEquals(Set.of("firewall-blocks-rdp"), ids(r));
    assertEquals(Set.of("enable-rdp-firewall-rules"), r.requested().keySet());
  }

  @Test
  void aRuleOffOnAnInactiveProfileDoesNotMatter() {
    Facts f = Facts.healthy();
    f.rdpRules.put("Domain", false);
    assertEquals(List.of(), read(f).findings());
  }

  @Test
  void blockAllInboundBlocksRdp() {
    Facts f = Facts.healthy();
    f.blockInbound = true;
    assertEquals(Set.of("enable-rdp-firewall-rules"), read(f).requested().keySet());
  }

  @Test
  void tls12ServerDisabled() {
    Facts f = Facts.healthy();
    f.tls12 = 0;
    GuestFindings.Result r = read(f);
    assertEquals(Set.of("tls-server-disabled"), ids(r));
    assertEquals(Set.of("enable-tls-server"), r.requested().keySet());
  }

  @Test
  void clockSkewOfTwoHours() {
    Facts f = Facts.healthy();
    f.time = CALL_START.minus(Duration.ofHours(2)).toString();
    GuestFindings.Result r = read(f);
    assertEquals(Set.of("clock-skew"), ids(r));
    assertTrue(finding(r, "clock-skew").summary().contains("2 h"), finding(r, "clock-skew").summary());
    assertEquals(Set.of("resync-time"), r.requested().keySet());
  }

  @Test
  void clockWithinFiveMinutesOfTheCallWindowIsFine() {
    Facts f = Facts.healthy();
    f.time = CALL_START.minus(Duration.ofMinutes(4)).toString();
    assertEquals(List.of(), read(f).findings());
    f.time = CALL_END.plus(Duration.ofMinutes(4)).toString();
    assertEquals(List.of(), read(f).findings());
    f.time = CALL_END.plus(Duration.ofMinutes(6)).toString();
    assertEquals(Set.of("clock-skew"), ids(read(f)));
  }

  @Test
  void staleBindingIsClearedWithItsThumbprint() {
    Facts f = Facts.healthy();
    f.bindingTp = TP2;
    f.bindingFound = false;
    GuestFindings.Result r = read(f);
    assertEquals(Set.of("stale-certificate-binding"), ids(r));
    assertEquals(Map.of("Thumbprint", TP2), requested(r, "clear-stale-binding").params());
  }

  @Test
  void portHeldByAnotherProcessAndNonstandardPort() {
    Facts f = Facts.healthy();
    f.listenerProcess = "java";
    f.listenerService = null;
    f.port = 3390;
    f.listenerPort = 3390;
    GuestFindings.Result r = read(f);
    assertEquals(Set.of("rdp-port-held-by-other-process", "rdp-port-nonstandard"), ids(r));
    assertEquals(Severity.INFO, finding(r, "rdp-port-nonstandard").severity());
    assertTrue(finding(r, "rdp-port-nonstandard").nextStep().contains("3390"));
    assertEquals(Map.of(), r.requested());
    assertNull(r.restartReason());
  }

  @Test
  void securityWarningsAreReportedButNeverRepaired() {
    Facts f = Facts.healthy();
    f.userAuthentication = 0;
    f.securityLayer = 0;
    f.fips = 1;
    f.mtu = 1400;
    GuestFindings.Result r = read(f);
    assertEquals(Set.of("nla-disabled", "security-layer-rdp", "fips-enabled", "mtu-nonstandard"), ids(r));
    assertTrue(r.findings().stream().allMatch(x -> x.severity() == Severity.WARNING));
    assertEquals(Map.of(), r.requested());
    assertNull(r.restartReason());
  }

  @Test
  void termServiceHungIsReportedAndRestarted() {
    Facts f = Facts.healthy();
    f.events.put("7022", 1);
    GuestFindings.Result r = read(f);
    assertEquals(Set.of("termservice-hung"), ids(r));
    assertEquals(Severity.WARNING, finding(r, "termservice-hung").severity());
    assertEquals("event 7022: TermService hung on starting", r.restartReason());
  }

  @Test
  void sessionEnvStoppedIsAWarning() {
    Facts f = Facts.healthy();
    f.services.put("SessionEnv", new GuestFacts.Service("Stopped", "Manual", "localSystem"));
    GuestFindings.Result r = read(f);
    assertEquals(Set.of("sessionenv-not-running"), ids(r));
    assertEquals(Map.of(), r.requested());
    assertNull(r.restartReason());
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
    read(all).findings().forEach(x -> seen.add(x.id().id()));
    assertTrue(seen.containsAll(Set.of("rdp-certificate-expired", "rdp-certificate-key-unreadable",
        "stale-certificate-binding", "machinekeys-acl-not-default", "machinekeys-corrupt", "termservice-not-running",
        "termservice-disabled", "sessionenv-not-running", "rdp-disabled", "rdp-disabled-by-policy",
        "listener-disabled", "rdp-port-held-by-other-process", "rdp-port-nonstandard", "firewall-blocks-rdp",
        "tls-server-disabled", "fips-enabled", "nla-disabled", "security-layer-rdp", "clock-skew",
        "schannel-key-errors", "termservice-hung", "domain-gpo-controls", "mtu-nonstandard")), seen.toString());
    for (Finding x : read(all).findings()) {
      assertFalse(x.evidence() == null || x.evidence().isBlank(), x.id().id());
      assertFalse(x.nextStep() == null || x.nextStep().isBlank(), x.id().id());
    }
  }

  @Test
  void unknownFactsAreNotEvidence() {
    GuestFacts empty = new GuestFacts(null, null, null, null, null, null, null, null, null, null, null, null, null,
        null, null, null, null, null, null, null);
    GuestFindings.Result r = GuestFindings.read(empty, CALL_START, CALL_END);
    assertEquals(List.of(), r.findings());
    assertEquals(Map.of(), r.requested());
  }
}
