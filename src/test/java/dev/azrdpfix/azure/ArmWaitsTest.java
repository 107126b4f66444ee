package dev.azrdpfix.azure;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED;
import static dev.azrdpfix.testing.ArmWorld.SUB;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.azure.core.http.HttpHeaderName;
import com.azure.core.http.HttpHeaders;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import dev.azrdpfix.core.AzrdpfixException;
import dev.azrdpfix.core.OutcomeUnknownException;
import dev.azrdpfix.core.model.VmRef;
import dev.azrdpfix.core.port.AzureGateway.RunOutput;
import dev.azrdpfix.core.port.Progress;
import dev.azrdpfix.testing.ArmWorld;
import dev.azrdpfix.testing.VirtualTime;
import java.io.InputStream;
import java.net.URI;
import java.security.KeyStore;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Every wait of the Azure gateway (LRO polls, Retry-After, retry backoff, timeouts) goes through the injected sleeper
 * and clock: over the real SDK against WireMock, in virtual time, so the timings production keeps are asserted
 * exactly and nothing really waits.
 */
class ArmWaitsTest {
  @RegisterExtension
  static WireMockExtension wm = ArmWorld.extension();

  private static final String VM = ArmWorld.rgPath("rg1") + "/providers/Microsoft.Compute/virtualMachines/vm1";
  private static final String OPS = "/subscriptions/" + SUB + "/providers/Microsoft.Compute/locations/westeurope/"
      + "operations/";
  private final VirtualTime time = new VirtualTime();
  private AzureVmGateway gateway;

  private AzureVmGateway gateway(Duration pollInterval) throws Exception {
    KeyStore trust = KeyStore.getInstance("PKCS12");
    try (InputStream in = ArmWorld.class.getResourceAsStream("/dev/azrdpfix/simulator/simulator-tls.p12")) {
      KeyStore ks = KeyStore.getInstance("PKCS12");
      ks.load(in, "azrdpfix-simulator".toCharArray());
      trust.load(null, null);
      trust.setCertificateEntry("test", ks.getCertificate("simulator"));
    }
    AzureSettings settings = new AzureSettings(AzureSettings.Cloud.AZURE_CLOUD,
        URI.create(new ArmWorld(wm).endpoint()), AzureSettings.AuthMode.TOKEN, SUB, null, trust, "t", pollInterval);
    gateway = AzureVmGateway.connect(settings, Progress.NONE, time, time);
    return gateway;
  }

  @AfterEach
  void close() {
    if (gateway != null) {
      gateway.close();
    }
  }

  private void runCommandAccepted(String retryAfter) {
    String base = wm.getRuntimeInfo().getHttpsBaseUrl();
    var accepted = aResponse().withStatus(202)
        .withHeader("Azure-AsyncOperation", base + OPS + "rc1?api-version=2025-04-01")
        .withHeader("Location", base + OPS + "rc1?monitor=true&api-version=2025-04-01");
    if (retryAfter != null) {
      accepted = accepted.withHeader("Retry-After", retryAfter);
    }
    wm.stubFor(post(urlPathEqualTo(VM + "/runCommand")).willReturn(accepted));
    wm.stubFor(get(urlPathEqualTo(OPS + "rc1")).withQueryParam("monitor", equalTo("true"))
        .willReturn(ArmWorld.json(200, Map.of("value", List.of(
            Map.of("code", "ComponentStatus/StdOut/succeeded", "level", "Info", "message", "hello"),
            Map.of("code", "ComponentStatus/StdErr/succeeded", "level", "Info", "message", ""))))));
  }

  private void operationStatuses(String... retryAfterThenStatus) {
    String state = STARTED;
    for (int i = 0; i < retryAfterThenStatus.length; i += 2) {
      String next = "poll-" + (i / 2 + 1);
      var response = ArmWorld.json(200, Map.of("status", retryAfterThenStatus[i + 1]));
      if (retryAfterThenStatus[i] != null) {
        response = response.withHeader("Retry-After", retryAfterThenStatus[i]);
      }
      wm.stubFor(get(urlPathEqualTo(OPS + "rc1"))
          .withQueryParam("monitor", com.github.tomakehurst.wiremock.client.WireMock.absent()).inScenario("op")
          .whenScenarioStateIs(state).willSetStateTo(next).willReturn(response));
      state = next;
    }
  }

  @Test
  void run_command_polls_after_the_poll_interval_then_as_arm_asks_and_returns_the_output() throws Exception {
    runCommandAccepted("3");
    operationStatuses("2", "InProgress", "7", "InProgress", null, "Succeeded");
    RunOutput out = gateway(Duration.ofSeconds(5)).runPowerShell(new VmRef(SUB, "rg1", "vm1"),
        List.of("Write-Output hello"), Map.of(), Duration.ofMinutes(30));
    assertEquals("hello", out.stdout());
    // 5 s (poll interval) + 2 s + 7 s (Retry-After of each in-progress poll): what production waits, here virtual.
    assertEquals(Duration.ofSeconds(14), time.elapsed());
    assertEquals(Duration.ofSeconds(14), Duration.between(out.started(), out.ended()));
    wm.verify(3, getRequestedFor(urlPathEqualTo(OPS + "rc1")).withQueryParam("monitor",
        com.github.tomakehurst.wiremock.client.WireMock.absent()));
  }

  @Test
  void an_operation_that_never_ends_times_out_at_the_deadline_in_one_line() throws Exception {
    runCommandAccepted(null);
    wm.stubFor(get(urlPathEqualTo(OPS + "rc1"))
        .withQueryParam("monitor", com.github.tomakehurst.wiremock.client.WireMock.absent())
        .willReturn(ArmWorld.json(200, Map.of("status", "InProgress"))));
    AzureVmGateway gw = gateway(Duration.ofSeconds(5));
    AzrdpfixException e = assertThrows(AzrdpfixException.class, () -> gw.runPowerShell(new VmRef(SUB, "rg1", "vm1"),
        List.of("Write-Output hello"), Map.of(), Duration.ofSeconds(32)));
    assertTrue(e.getMessage().contains("did not answer in time"), e.getMessage());
    assertEquals(Duration.ofSeconds(32), time.elapsed(), "the last wait is cut to the deadline");
    wm.verify(7, getRequestedFor(urlPathEqualTo(OPS + "rc1")).withQueryParam("monitor",
        com.github.tomakehurst.wiremock.client.WireMock.absent()));
  }

  @Test
  void a_post_that_may_have_reached_azure_is_never_resent_but_a_throttled_one_is_after_retry_after()
      throws Exception {
    AzureVmGateway gw = gateway(Duration.ofSeconds(5));
    VmRef vm = new VmRef(SUB, "rg1", "vm1");
    wm.stubFor(post(urlPathEqualTo(VM + "/restart")).willReturn(aResponse().withFault(
        com.github.tomakehurst.wiremock.http.Fault.CONNECTION_RESET_BY_PEER)));
    AzrdpfixException e = assertThrows(AzrdpfixException.class, () -> gw.restart(vm, Duration.ofMinutes(5)));
    assertTrue(e.getMessage().contains("restarting VM"), e.getMessage());
    wm.verify(1, com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor(urlPathEqualTo(VM + "/restart")));
    assertEquals(Duration.ZERO, time.elapsed(), "no backoff either");

    wm.resetAll();
    runCommandAccepted(null);
    wm.stubFor(post(urlPathEqualTo(VM + "/runCommand")).inScenario("throttled").whenScenarioStateIs(STARTED)
        .willSetStateTo("ok").atPriority(1).willReturn(ArmWorld.json(429, Map.of("error", Map.of("code",
            "TooManyRequests", "message", "The request is being throttled."))).withHeader("Retry-After", "3")));
    operationStatuses(null, "Succeeded");
    assertEquals("hello", gw.runPowerShell(vm, List.of("Write-Output hello"), Map.of(), Duration.ofMinutes(30))
        .stdout());
    wm.verify(2, com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor(urlPathEqualTo(VM
        + "/runCommand")));
    assertEquals(Duration.ofSeconds(3 + 5), time.elapsed(), "Retry-After of the 429, then the poll interval");
  }

  @Test
  void an_accepted_operation_that_ends_failed_or_whose_polls_fail_has_an_unknown_outcome_and_is_not_resent()
      throws Exception {
    AzureVmGateway gw = gateway(Duration.ofSeconds(5));
    VmRef vm = new VmRef(SUB, "rg1", "vm1");
    runCommandAccepted(null);
    operationStatuses(null, "Failed");
    OutcomeUnknownException failed = assertThrows(OutcomeUnknownException.class, () -> gw.runPowerShell(vm,
        List.of("Write-Output hello"), Map.of(), Duration.ofMinutes(30)));
    assertTrue(failed.getMessage().contains("Azure accepted the request") && failed.getMessage().contains("unknown"),
        failed.getMessage());

    wm.resetAll();
    runCommandAccepted(null);
    wm.stubFor(get(urlPathEqualTo(OPS + "rc1"))
        .withQueryParam("monitor", com.github.tomakehurst.wiremock.client.WireMock.absent())
        .willReturn(ArmWorld.json(500, Map.of("error", Map.of("code", "InternalServerError",
            "message", "boom")))));
    OutcomeUnknownException polls = assertThrows(OutcomeUnknownException.class, () -> gw.runPowerShell(vm,
        List.of("Write-Output hello"), Map.of(), Duration.ofMinutes(30)));
    assertTrue(polls.getMessage().contains("unknown"), polls.getMessage());
    wm.verify(1, com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor(urlPathEqualTo(VM
        + "/runCommand")));

    wm.resetAll();
    wm.stubFor(post(urlPathEqualTo(VM + "/reapply")).willReturn(ArmWorld.json(409, Map.of("error", Map.of("code",
        "Conflict", "message", "Operation 'reapply' is not allowed.")))));
    AzrdpfixException refused = assertThrows(AzrdpfixException.class, () -> gw.reapply(vm, Duration.ofMinutes(5)));
    assertFalse(refused instanceof OutcomeUnknownException, "Azure answered: nothing was done");
  }

  @Test
  void retry_after_is_read_in_seconds_milliseconds_or_as_an_http_date() {
    VirtualTime clock = new VirtualTime(Instant.parse("2026-12-01T10:00:00Z"));
    assertEquals(Duration.ofSeconds(2), ArmRetryPolicy.retryAfter(new HttpHeaders().set(HttpHeaderName.RETRY_AFTER,
        "2"), clock));
    assertEquals(Duration.ofMillis(1500), ArmRetryPolicy.retryAfter(new HttpHeaders()
        .set(HttpHeaderName.fromString("x-ms-retry-after-ms"), "1500").set(HttpHeaderName.RETRY_AFTER, "9"), clock));
    assertEquals(Duration.ofMillis(250), ArmRetryPolicy.retryAfter(new HttpHeaders()
        .set(HttpHeaderName.fromString("retry-after-ms"), "250"), clock));
    String date = DateTimeFormatter.RFC_1123_DATE_TIME.format(Instant.parse("2026-12-01T10:00:30Z")
        .atZone(ZoneOffset.UTC));
    assertEquals(Duration.ofSeconds(30), ArmRetryPolicy.retryAfter(new HttpHeaders()
        .set(HttpHeaderName.RETRY_AFTER, date), clock));
    assertNull(ArmRetryPolicy.retryAfter(new HttpHeaders(), clock));
    assertNull(ArmRetryPolicy.retryAfter(new HttpHeaders().set(HttpHeaderName.RETRY_AFTER, "soon"), clock));
  }

  @Test
  void backoff_doubles_from_800_ms_up_to_8_s_within_five_percent() {
    for (int retry = 0; retry < 6; retry++) {
      long expected = Math.min(800L << retry, 8000L);
      long got = ArmRetryPolicy.backoff(retry).toMillis();
      assertTrue(got >= Math.min(expected * 95 / 100, 8000) && got <= Math.min(expected * 105 / 100 + 1, 8000),
          "retry " + retry + ": " + got + " ms");
    }
  }
}
