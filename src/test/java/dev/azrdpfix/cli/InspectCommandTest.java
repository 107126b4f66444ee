package dev.azrdpfix.cli;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED;
import static dev.azrdpfix.testing.ArmWorld.SUB;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import dev.azrdpfix.testing.ArmWorld;
import dev.azrdpfix.testing.CliRun;
import dev.azrdpfix.testing.CliRun.Result;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** {@code inspect} end to end through picocli and the real Azure SDK against an ARM-shaped world over HTTPS. */
class InspectCommandTest {
  @RegisterExtension
  static WireMockExtension wm = ArmWorld.extension();
  @TempDir
  Path home;
  ArmWorld world;
  Map<String, String> env;

  @BeforeEach
  void setUp() {
    world = new ArmWorld(wm);
    env = Map.of("AZRDPFIX_ACCESS_TOKEN", "test-token", "AZURE_SUBSCRIPTION_ID", SUB);
  }

  Result inspect(String... extra) {
    List<String> args = new ArrayList<>(List.of("inspect"));
    args.addAll(List.of(extra));
    args.addAll(List.of("--arm-endpoint", world.endpoint(), "--ca-file", ArmWorld.caPem(home).toString(),
        "--auth", "token", "--azure-only"));
    return CliRun.run(env, home, args.toArray(String[]::new));
  }

  static JsonNode json(Result r) throws Exception {
    return new ObjectMapper().readTree(r.out());
  }

  static List<String> ids(JsonNode doc) {
    List<String> ids = new ArrayList<>();
    doc.path("findings").forEach(f -> ids.add(f.path("id").asText()));
    return ids;
  }

  @Test
  void restricted_rdp_is_reported_as_restricted_with_at_most_six_arm_requests() throws Exception {
    world.serve(new ArmWorld.Vm().allowRdpFrom("198.51.100.0/24", 300));
    Result r = inspect("rg1/vm1", "--output", "json").expectExit(0);
    JsonNode doc = json(r);
    assertEquals("azrdpfix/inspect/v1", doc.path("schema").asText());
    assertEquals(List.of("rdp-restricted-sources"), ids(doc), r::toString);
    assertEquals("Windows", doc.path("vm").path("osType").asText());
    assertEquals("Ready", doc.path("vm").path("agent").path("status").asText());
    assertEquals("20.1.2.3", doc.path("vm").path("nics").get(0).path("publicIp").path("address").asText());
    int requests = wm.getAllServeEvents().size();
    assertTrue(requests <= 6, "ARM requests: " + requests);
    wm.verify(getRequestedFor(anyUrl()).withHeader("Authorization", equalTo("Bearer test-token")));
  }

  @Test
  void a_deny_rule_blocks_rdp_and_names_the_nsg_and_rule() throws Exception {
    ArmWorld.Vm vm = new ArmWorld.Vm();
    vm.nicNsgRules.add(ArmWorld.rule("Deny-RDP", "Deny", 100, "*", "3389"));
    vm.allowRdpFrom("*", 200);
    world.serve(vm);
    Result r = inspect("rg1/vm1", "--output", "json").expectExit(5);
    JsonNode f = json(r).path("findings").get(0);
    assertEquals("rdp-blocked-by-nsg", f.path("id").asText());
    assertEquals("critical", f.path("severity").asText());
    assertTrue(f.path("evidence").asText().contains("'Deny-RDP' (priority 100)"), r::toString);
    assertTrue(f.path("evidence").asText().contains("vm1-nsg"), r::toString);
  }

  @Test
  void the_subnet_nsg_is_evaluated_too() throws Exception {
    ArmWorld.Vm vm = new ArmWorld.Vm().allowRdpFrom("*", 300);
    vm.subnetRule(ArmWorld.rule("Deny-RDP-Inbound", "Deny", 200, "*", "3389"));
    world.serve(vm);
    Result r = inspect("rg1/vm1", "--output", "json").expectExit(5);
    JsonNode f = json(r).path("findings").get(0);
    assertEquals("rdp-blocked-by-nsg", f.path("id").asText());
    assertTrue(f.path("summary").asText().contains("vm1-subnet-nsg"), r::toString);
  }

  @Test
  void a_subnet_nsg_in_another_group_is_read_by_id() throws Exception {
    ArmWorld.Vm vm = new ArmWorld.Vm().allowRdpFrom("*", 300);
    vm.subnetRule(ArmWorld.rule("Deny-RDP-Inbound", "Deny", 200, "*", "3389"));
    vm.subnetNsgRg = "rg-network";
    world.serve(vm);
    Result r = inspect("rg1/vm1", "--output", "json").expectExit(5);
    assertTrue(json(r).path("findings").get(0).path("summary").asText().contains("vm1-subnet-nsg"), r::toString);
  }

  @Test
  void rdp_open_to_the_internet_is_a_security_warning_in_text() {
    world.serve(new ArmWorld.Vm().allowRdpFrom("*", 300));
    Result r = inspect("vm1", "-g", "rg1").expectExit(0);
    assertTrue(r.out().contains("WARNING  rdp-open-to-internet"), r::toString);
    assertTrue(r.out().contains("No finding on the Azure side blocks RDP. The guest was not checked"), r::toString);
    assertFalse(r.out().contains("\u001b["), "no colour without a terminal");
  }

  @Test
  void a_vm_without_public_ip_is_told_to_use_the_vnet() throws Exception {
    ArmWorld.Vm vm = new ArmWorld.Vm();
    vm.publicIp = null;
    world.serve(vm);
    Result r = inspect("rg1/vm1", "--output", "json").expectExit(0);
    assertEquals(List.of("no-public-ip"), ids(json(r)));
  }

  @Test
  void a_standard_public_ip_without_any_nsg_is_closed() throws Exception {
    ArmWorld.Vm vm = new ArmWorld.Vm();
    vm.nicNsgRules = null;
    world.serve(vm);
    Result r = inspect("rg1/vm1", "--output", "json").expectExit(5);
    assertEquals(List.of("rdp-blocked-by-nsg"), ids(json(r)));
  }

  @Test
  void application_security_groups_are_not_guessed() throws Exception {
    ArmWorld.Vm vm = new ArmWorld.Vm();
    var rule = ArmWorld.rule("From-Jump", "Allow", 100, "*", "3389");
    var p = (com.fasterxml.jackson.databind.node.ObjectNode) rule.get("properties");
    p.remove("sourceAddressPrefix");
    p.putArray("sourceApplicationSecurityGroups").addObject().put("id", "/asg/jump-hosts");
    vm.nicNsgRules.add(rule);
    world.serve(vm);
    Result r = inspect("rg1/vm1", "--output", "json", "--source", "198.51.100.7").expectExit(0);
    assertTrue(ids(json(r)).contains("nsg-cannot-evaluate"), r::toString);
  }

  @Test
  void source_address_check_names_the_deciding_rule() throws Exception {
    world.serve(new ArmWorld.Vm().allowRdpFrom("198.51.100.0/24", 300));
    Result r = inspect("rg1/vm1", "--output", "json", "--source", "203.0.113.9").expectExit(5);
    assertTrue(ids(json(r)).contains("rdp-blocked-for-source"), r::toString);
  }

  @Test
  void a_deallocated_vm_blocks_rdp() throws Exception {
    ArmWorld.Vm vm = new ArmWorld.Vm().allowRdpFrom("*", 300);
    vm.power = "deallocated";
    world.serve(vm);
    Result r = inspect("rg1/vm1", "--output", "json").expectExit(5);
    assertTrue(ids(json(r)).contains("vm-not-running"), r::toString);
  }

  @Test
  void an_agent_that_is_not_ready_is_reported_and_guest_diagnosis_is_not_possible() throws Exception {
    ArmWorld.Vm vm = new ArmWorld.Vm().allowRdpFrom("198.51.100.0/24", 300);
    vm.agent = "Not Ready";
    world.serve(vm);
    Result r = CliRun.run(env, home, "inspect", "rg1/vm1", "--arm-endpoint", world.endpoint(), "--ca-file",
        ArmWorld.caPem(home).toString(), "--auth", "token", "--output", "json").expectExit(4);
    JsonNode doc = json(r);
    assertTrue(ids(doc).contains("guest-agent-not-ready"), r::toString);
    assertFalse(doc.path("guest").path("diagnosed").asBoolean());
  }

  @Test
  void a_linux_vm_is_refused_as_not_windows() throws Exception {
    ArmWorld.Vm vm = new ArmWorld.Vm();
    vm.os = "Linux";
    world.serve(vm);
    Result r = inspect("rg1/vm1", "--output", "json").expectExit(4);
    assertEquals(List.of("not-windows"), ids(json(r)));
  }

  @Test
  void a_name_without_group_is_found_in_the_subscription() throws Exception {
    world.serve(new ArmWorld.Vm().allowRdpFrom("198.51.100.0/24", 300));
    Result r = inspect("vm1", "--output", "json").expectExit(0);
    assertEquals("rg1/vm1", json(r).path("target").asText());
  }

  @Test
  void a_name_in_two_groups_is_ambiguous_and_lists_them() throws Exception {
    world.serve(new ArmWorld.Vm().name("rg-blue", "app-01"));
    world.serve(new ArmWorld.Vm().name("rg-green", "app-01"));
    Result r = inspect("app-01", "--output", "json").expectExit(2);
    JsonNode f = json(r).path("findings").get(0);
    assertEquals("vm-name-ambiguous", f.path("id").asText());
    assertTrue(f.path("evidence").asText().contains("rg-blue, rg-green"), r::toString);
  }

  @Test
  void an_unknown_vm_is_not_found() throws Exception {
    wm.stubFor(get(urlPathEqualTo(ArmWorld.rgPath("rg1") + "/providers/Microsoft.Compute/virtualMachines/missing"))
        .willReturn(ArmWorld.json(404, Map.of("error", Map.of("code", "ResourceNotFound", "message",
            "The Resource 'Microsoft.Compute/virtualMachines/missing' under resource group 'rg1' was not found.")))));
    Result r = inspect("rg1/missing", "--output", "json").expectExit(3);
    assertEquals(List.of("vm-not-found"), ids(json(r)));
  }

  @Test
  void permission_denied_names_the_missing_action_in_one_line() {
    wm.stubFor(get(urlPathEqualTo(ArmWorld.rgPath("rg1") + "/providers/Microsoft.Compute/virtualMachines/vm1"))
        .willReturn(ArmWorld.json(403, Map.of("error", Map.of("code", "AuthorizationFailed", "message",
            "The client 'ci-sp' with object id 'x' does not have authorization to perform action"
                + " 'Microsoft.Compute/virtualMachines/read' over scope '/subscriptions/x' or the scope is invalid.")))));
    String line = inspect("rg1/vm1").expectExit(3).oneLineError();
    assertTrue(line.contains("Microsoft.Compute/virtualMachines/read"), line);
  }

  @Test
  void throttling_is_retried_honouring_retry_after() throws Exception {
    world.serve(new ArmWorld.Vm().allowRdpFrom("198.51.100.0/24", 300));
    String vmPath = ArmWorld.rgPath("rg1") + "/providers/Microsoft.Compute/virtualMachines/vm1";
    wm.stubFor(get(urlPathEqualTo(vmPath)).inScenario("t").whenScenarioStateIs(STARTED).willSetStateTo("ok")
        .atPriority(1).willReturn(aResponse().withStatus(429).withHeader("Retry-After", "1")
            .withHeader("Content-Type", "application/json")
            .withBody("{\"error\":{\"code\":\"TooManyRequests\",\"message\":\"The request is being throttled.\"}}")));
    inspect("rg1/vm1", "--output", "json").expectExit(0);
    wm.verify(2, getRequestedFor(urlPathEqualTo(vmPath)));
    Duration waited = CliRun.time(home).elapsed();
    assertTrue(waited.compareTo(Duration.ofSeconds(1)) >= 0 && waited.compareTo(Duration.ofSeconds(2)) < 0,
        "waited " + waited + " (virtual) before the retry; ARM asked for 1 s");
  }

  @Test
  void persistent_server_errors_fail_in_one_line_after_retries() {
    wm.stubFor(get(urlPathEqualTo(ArmWorld.rgPath("rg1") + "/providers/Microsoft.Compute/virtualMachines/vm1"))
        .willReturn(ArmWorld.json(503, Map.of("error", Map.of("code", "ServiceUnavailable", "message", "busy")))));
    String line = inspect("rg1/vm1").expectExit(3).oneLineError();
    assertTrue(line.contains("503"), line);
    wm.verify(4, getRequestedFor(anyUrl()));
    // Three retries with exponential backoff: about 0.8 + 1.6 + 3.2 s (5 % jitter), in virtual time.
    Duration waited = CliRun.time(home).elapsed();
    assertTrue(waited.compareTo(Duration.ofMillis(5300)) > 0 && waited.compareTo(Duration.ofMillis(5900)) < 0,
        "backoff before giving up: " + waited);
  }

  @Test
  void a_reset_connection_is_retried() throws Exception {
    world.serve(new ArmWorld.Vm().allowRdpFrom("198.51.100.0/24", 300));
    String nicPath = ArmWorld.rgPath("rg1") + "/providers/Microsoft.Network/networkInterfaces/vm1-nic";
    wm.stubFor(get(urlPathEqualTo(nicPath)).inScenario("r").whenScenarioStateIs(STARTED).willSetStateTo("ok")
        .atPriority(1).willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)));
    inspect("rg1/vm1", "--output", "json").expectExit(0);
  }

  @Test
  void a_connection_that_always_resets_fails_in_one_line() {
    wm.stubFor(get(anyUrl()).willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)));
    String line = inspect("rg1/vm1").expectExit(3).oneLineError();
    assertTrue(line.contains("cannot reach Azure Resource Manager"), line);
  }

  @Test
  void a_missing_token_fails_fast_before_any_request() {
    Result r = CliRun.run(Map.of("AZURE_SUBSCRIPTION_ID", SUB), home, "inspect", "rg1/vm1", "--arm-endpoint",
        world.endpoint(), "--auth", "token").expectExit(3);
    assertTrue(r.oneLineError().contains("authentication failed (--auth token)"), r::toString);
    wm.verify(0, anyRequestedFor(anyUrl()));
  }

  @Test
  void the_subscription_comes_from_the_azure_cli_profile_when_not_given() throws Exception {
    world.serve(new ArmWorld.Vm().allowRdpFrom("198.51.100.0/24", 300));
    Path azure = Files.createDirectories(home.resolve(".azure"));
    Files.writeString(azure.resolve("azureProfile.json"), "\uFEFF{\"subscriptions\":[{\"id\":\"11111111-1111-1111"
        + "-1111-111111111111\",\"isDefault\":false},{\"id\":\"" + SUB + "\",\"isDefault\":true}]}");
    env = Map.of("AZRDPFIX_ACCESS_TOKEN", "test-token");
    inspect("rg1/vm1").expectExit(0);
  }
}
