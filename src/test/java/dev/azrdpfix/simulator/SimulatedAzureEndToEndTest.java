package dev.azrdpfix.simulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.azure.resourcemanager.compute.models.RunCommandResult;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.azrdpfix.core.probe.ProbeRequest;
import dev.azrdpfix.core.probe.ProbeResult;
import dev.azrdpfix.core.probe.ProbeVerdict;
import dev.azrdpfix.probe.TcpRdpProber;
import dev.azrdpfix.template.TemplateCatalog;
import dev.azrdpfix.testing.VirtualTime;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The production wiring: real simulated guests, real fake RDP listeners, the real probe and the real Azure SDK, all
 * over loopback sockets.
 */
class SimulatedAzureEndToEndTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  Path dir;
  private final VirtualTime time = new VirtualTime();
  private SimulatedAzure sim;

  @AfterEach
  void stop() {
    if (sim != null) {
      sim.close();
    }
  }

  private SimulatedAzure start() {
    sim = SimulatedAzure.start(new SimulatedAzure.Options(dir.resolve("state.json"), "fast/4", null, 0)
        .withTime(time, time));
    return sim;
  }

  private ProbeResult probe(String ip) {
    return probe(ip, Duration.ofMillis(1500));
  }

  private ProbeResult probe(String ip, Duration stageTimeout) {
    InetSocketAddress a = sim.rdpAddress(ip, 3389);
    assertNotNull(a, ip);
    return new TcpRdpProber().probe(new ProbeRequest(a.getHostString(), a.getPort(), stageTimeout, Duration.ZERO,
        null));
  }

  /** A template exactly as the tool sends it alone: the shipped file composed with the helpers. */
  private static List<String> template(String id) {
    return TemplateCatalog.load().prepare(id, Map.of()).lines();
  }

  @Test
  void probeSeesHealthyFaultyAndUnreachableVms() {
    start();
    assertEquals(ProbeVerdict.OK, probe("203.0.113.11").verdict(), "healthy-01");
    assertEquals(ProbeVerdict.TLS_HANDSHAKE_FAILED, probe("203.0.113.10").verdict(), "web-01: the 0x904 headline");
    // Dropped packets can only be seen as a timeout: a short one, since nothing will ever answer.
    Duration dropped = Duration.ofMillis(300);
    assertEquals(ProbeVerdict.TCP_TIMEOUT, probe("203.0.113.20", dropped).verdict(),
        "nsg-blocked-01 from the internet");
    assertEquals(ProbeVerdict.OK, probe("10.10.2.4").verdict(), "nsg-blocked-01 from inside the VNet");
    assertEquals(ProbeVerdict.TCP_TIMEOUT, probe("203.0.113.22", dropped).verdict(), "deallocated-01");
  }

  @Test
  void diagnoseTemplateRunsInTheGuestThroughRunCommand() throws Exception {
    SdkHarness sdk = new SdkHarness(start(), time);
    RunCommandResult r = sdk.compute.virtualMachines().runPowerShellScript("rg-prod", "web-01",
        template("diagnose"), List.of());
    List<String> stdout = r.value().get(0).message().lines().toList();
    String marker = stdout.get(stdout.size() - 1);
    assertTrue(marker.startsWith("AZRDPFIX-RESULT "), marker);
    JsonNode result = JSON.readTree(marker.substring("AZRDPFIX-RESULT ".length()));
    assertEquals("diagnose", result.path("id").asText());
    assertEquals("ok", result.path("status").asText());
    assertEquals("web-01", result.path("facts").path("certs").get(0).path("subject").asText().replace("CN=", ""));
  }

  @Test
  void guestsSurviveARestartOfTheSimulator() {
    start();
    ProbeResult before = probe("203.0.113.11");
    sim.close();
    start();
    ProbeResult after = probe("203.0.113.11");
    assertEquals(ProbeVerdict.OK, after.verdict());
    assertEquals(before.certificate().thumbprint(), after.certificate().thumbprint(),
        "the same guest (and RDP certificate) is restored from the state file");
  }
}
