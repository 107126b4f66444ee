package dev.azrdpfix.cli;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED;
import static dev.azrdpfix.testing.ArmWorld.SUB;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import dev.azrdpfix.testing.ArmWorld;
import dev.azrdpfix.testing.CliRun;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A step failing midway inside the guest, over the real SDK against an ARM-shaped world: the run stops, exit 7, the
 * report lists what changed before the failure and how to roll it back, and the VM is not restarted (WireMock has no
 * restart stub and fails on any unexpected request).
 */
class RepairFailureTest {
  @RegisterExtension
  static WireMockExtension wm = ArmWorld.extension();
  @TempDir
  Path home;

  private static final String VM = ArmWorld.rgPath("rg1") + "/providers/Microsoft.Compute/virtualMachines/vm1";
  private static final String OPS = "/subscriptions/" + SUB + "/providers/Microsoft.Compute/locations/westeurope/"
      + "operations/";

  private static String golden(String name) throws IOException {
    try (InputStream in = RepairFailureTest.class.getResourceAsStream("/dev/azrdpfix/template/results/" + name)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  private void runCommandReturns(String fromState, String toState, String op, String stdout) {
    String base = wm.getRuntimeInfo().getHttpsBaseUrl();
    wm.stubFor(post(urlPathEqualTo(VM + "/runCommand")).inScenario("rc").whenScenarioStateIs(fromState)
        .willSetStateTo(toState).willReturn(aResponse().withStatus(202)
            .withHeader("Azure-AsyncOperation", base + OPS + op + "?api-version=2025-04-01")
            .withHeader("Location", base + OPS + op + "?monitor=true&api-version=2025-04-01")
            .withHeader("Retry-After", "0")));
    wm.stubFor(get(urlPathEqualTo(OPS + op)).withQueryParam("monitor", equalTo("true"))
        .willReturn(ArmWorld.json(200, Map.of("value", List.of(
            Map.of("code", "ComponentStatus/StdOut/succeeded", "level", "Info", "message", stdout),
            Map.of("code", "ComponentStatus/StdErr/succeeded", "level", "Info", "message", ""))))));
  }

  @Test
  void a_step_failing_midway_stops_the_run_reports_the_changes_and_does_not_restart() throws Exception {
    new ArmWorld(wm).serve(new ArmWorld.Vm().allowRdpFrom("198.51.100.0/24", 300));
    wm.stubFor(get(urlPathMatching(OPS + "rc-.*"))
        .withQueryParam("monitor", com.github.tomakehurst.wiremock.client.WireMock.absent())
        .willReturn(ArmWorld.json(200, Map.of("status", "Succeeded"))));
    runCommandReturns(STARTED, "diagnosed", "rc-diag", golden("diagnose-headline.stdout.txt"));
    runCommandReturns("diagnosed", "applied", "rc-bundle", golden("bundle-failed-midway.stdout.txt"));

    CliRun.Result r = CliRun.run(Map.of("AZRDPFIX_ACCESS_TOKEN", "t", "AZURE_SUBSCRIPTION_ID", SUB), home,
        "repair", "rg1/vm1", "--yes", "--output", "json", "--arm-endpoint", new ArmWorld(wm).endpoint(),
        "--ca-file", ArmWorld.caPem(home).toString(), "--auth", "token").expectExit(7);
    JsonNode report = new ObjectMapper().readTree(r.out());
    assertEquals(7, report.path("exit").path("code").asInt());
    assertTrue(report.path("outcome").asText().contains("remove-rdp-certificates failed"), r::toString);
    assertTrue(report.path("outcome").asText().contains("azrdpfix rollback rg1/vm1 --run "), r::toString);
    assertEquals("MachineKeys ACL", report.path("changes").get(0).path("what").asText(), r::toString);
    assertTrue(report.path("backups").toString().contains("machinekeys.acl"), r::toString);
    wm.verify(2, postRequestedFor(urlPathEqualTo(VM + "/runCommand")));
    wm.verify(0, postRequestedFor(urlPathEqualTo(VM + "/restart")));
  }

  @Test
  void output_without_a_result_line_is_a_failure_never_a_success() throws Exception {
    new ArmWorld(wm).serve(new ArmWorld.Vm().allowRdpFrom("198.51.100.0/24", 300));
    wm.stubFor(get(urlPathMatching(OPS + "rc-.*"))
        .withQueryParam("monitor", com.github.tomakehurst.wiremock.client.WireMock.absent())
        .willReturn(ArmWorld.json(200, Map.of("status", "Succeeded"))));
    // What Run Command returns when only the last 4,096 bytes survive and the marker line was cut.
    runCommandReturns(STARTED, "diagnosed", "rc-diag", golden("diagnose-headline.stdout.txt").substring(0, 200));
    CliRun.Result r = CliRun.run(Map.of("AZRDPFIX_ACCESS_TOKEN", "t", "AZURE_SUBSCRIPTION_ID", SUB), home,
        "repair", "rg1/vm1", "--yes", "--arm-endpoint", new ArmWorld(wm).endpoint(),
        "--ca-file", ArmWorld.caPem(home).toString(), "--auth", "token").expectExit(3);
    assertTrue(r.oneLineError().contains("diagnosing rg1/vm1 failed"), r::toString);
    wm.verify(1, postRequestedFor(urlPathEqualTo(VM + "/runCommand")));
  }
}
