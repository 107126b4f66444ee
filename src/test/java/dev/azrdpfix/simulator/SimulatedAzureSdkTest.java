package dev.azrdpfix.simulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.azure.core.management.exception.ManagementException;
import com.azure.core.management.polling.PollResult;
import com.azure.core.util.polling.LongRunningOperationStatus;
import com.azure.core.util.polling.SyncPoller;
import com.azure.resourcemanager.compute.fluent.models.RunCommandResultInner;
import com.azure.resourcemanager.compute.models.InstanceViewStatus;
import com.azure.resourcemanager.compute.models.OperatingSystemTypes;
import com.azure.resourcemanager.compute.models.PowerState;
import com.azure.resourcemanager.compute.models.RunCommandInput;
import com.azure.resourcemanager.compute.models.RunCommandInputParameter;
import com.azure.resourcemanager.compute.models.RunCommandResult;
import com.azure.resourcemanager.compute.models.VirtualMachine;
import com.azure.resourcemanager.network.fluent.models.SubnetInner;
import com.azure.resourcemanager.network.models.Network;
import com.azure.resourcemanager.network.models.NetworkInterface;
import com.azure.resourcemanager.network.models.NetworkSecurityGroup;
import com.azure.resourcemanager.network.models.NetworkSecurityRule;
import com.azure.resourcemanager.network.models.PublicIpAddress;
import com.azure.resourcemanager.network.models.SecurityRuleAccess;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.azrdpfix.core.AzrdpfixException;
import dev.azrdpfix.core.ExitCode;
import dev.azrdpfix.core.port.Sleeper;
import dev.azrdpfix.simulator.arm.RdpListenerFactory;
import dev.azrdpfix.testing.VirtualTime;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Drives the simulator with the real Azure SDK (compute 2.55.1, network 2.57.0) over real HTTPS on loopback. */
class SimulatedAzureSdkTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  Path dir;
  private final FakeGuests guests = new FakeGuests();
  private final VirtualTime time = new VirtualTime();
  private SimulatedAzure sim;

  private SimulatedAzure.Options options(Path state, String latency, String faults) {
    return new SimulatedAzure.Options(state, latency, faults, 0).withTime(time, time);
  }

  private SimulatedAzure start(String latency, String faults) {
    sim = SimulatedAzure.start(options(dir.resolve("state.json"), latency, faults), guests,
        RdpListenerFactoryStub.NONE);
    return sim;
  }

  private SdkHarness sdk(SimulatedAzure simulator) {
    return new SdkHarness(simulator, time);
  }

  @AfterEach
  void stop() {
    if (sim != null) {
      sim.close();
    }
  }

  @Test
  void vmWithInstanceViewIsWindowsRunningWithReadyAgent() {
    SdkHarness sdk = sdk(start("fast/4", null));
    VirtualMachine vm = sdk.compute.virtualMachines().getByResourceGroup("rg-prod", "web-01");
    assertEquals(OperatingSystemTypes.WINDOWS, vm.osType());
    assertEquals(PowerState.RUNNING, vm.powerState());
    assertEquals("Ready", vm.instanceView().vmAgent().statuses().get(0).displayStatus());
    assertEquals("web-01", vm.computerName());
    assertTrue(vm.primaryNetworkInterfaceId().endsWith("/networkInterfaces/web-01-nic"));
    assertTrue(sim.requests().stream().anyMatch(r -> r.query().contains("$expand=instanceView")),
        "the fluent API asks for the instance view");
  }

  @Test
  void instanceViewEndpointAndLinuxOsType() {
    SdkHarness sdk = sdk(start("fast/4", null));
    var iv = sdk.compute.serviceClient().getVirtualMachines().instanceView("rg-prod", "agent-down-01");
    InstanceViewStatus agent = iv.vmAgent().statuses().get(0);
    assertEquals("ProvisioningState/Unavailable", agent.code());
    assertEquals("Not Ready", agent.displayStatus());
    assertEquals("VM status blob not found.", agent.message());
    assertEquals(OperatingSystemTypes.LINUX,
        sdk.compute.virtualMachines().getByResourceGroup("rg-prod", "linux-01").osType());
    assertEquals(PowerState.DEALLOCATED,
        sdk.compute.virtualMachines().getByResourceGroup("rg-prod", "deallocated-01").powerState());
  }

  @Test
  void listingTheSubscriptionPagesAndFindsApp01Twice() {
    SdkHarness sdk = sdk(start("fast/4", null));
    List<VirtualMachine> all = sdk.compute.virtualMachines().list().stream().toList();
    assertEquals(24, all.size(), "18 VMs and the 6 guest cases of issue 8");
    List<String> app01Groups = all.stream().filter(v -> v.name().equals("app-01"))
        .map(VirtualMachine::resourceGroupName).sorted().toList();
    assertEquals(List.of("rg-blue", "rg-green"), app01Groups);
    long listPages = sim.requests().stream().filter(r -> r.route().equals("vm-list")).count();
    assertEquals(3, listPages, "24 VMs at 10 per page come in three pages via nextLink");
    assertEquals(22, sdk.compute.virtualMachines().listByResourceGroup("rg-prod").stream().count());
  }

  @Test
  void networkResourcesParse() {
    SdkHarness sdk = sdk(start("fast/4", null));
    VirtualMachine vm = sdk.compute.virtualMachines().getByResourceGroup("rg-prod", "web-01");
    NetworkInterface nic = sdk.network.networkInterfaces().getById(vm.primaryNetworkInterfaceId());
    assertEquals("10.10.1.4", nic.primaryPrivateIP());
    PublicIpAddress pip = sdk.network.publicIpAddresses().getById(nic.primaryIPConfiguration().publicIpAddressId());
    assertEquals("203.0.113.10", pip.ipAddress());
    assertEquals("web-01-prod.westeurope.cloudapp.azure.com", pip.fqdn());
    NetworkSecurityGroup nsg = sdk.network.networkSecurityGroups().getById(nic.networkSecurityGroupId());
    NetworkSecurityRule rdp = nsg.securityRules().get("RDP");
    assertEquals("*", rdp.sourceAddressPrefix());
    assertEquals("3389", rdp.destinationPortRange());
    assertEquals(SecurityRuleAccess.ALLOW, rdp.access());
    assertEquals(6, nsg.defaultSecurityRules().size());
    assertEquals(SecurityRuleAccess.DENY, nsg.defaultSecurityRules().get("DenyAllInBound").access());
    assertTrue(nsg.networkInterfaceIds().contains(nic.id().toLowerCase())
        || nsg.networkInterfaceIds().contains(nic.id()));

    // nsg-blocked-01: the NIC NSG allows RDP, the subnet NSG denies it at priority 200.
    SubnetInner subnet = sdk.network.serviceClient().getSubnets().get("rg-prod", "vnet-prod", "locked");
    assertEquals("10.10.2.0/24", subnet.addressPrefix());
    NetworkSecurityGroup subnetNsg = sdk.network.networkSecurityGroups().getById(subnet.networkSecurityGroup().id());
    NetworkSecurityRule deny = subnetNsg.securityRules().get("Deny-RDP-Inbound");
    assertEquals(200, deny.priority());
    assertEquals(SecurityRuleAccess.DENY, deny.access());
    Network vnet = sdk.network.networks().getByResourceGroup("rg-prod", "vnet-prod");
    assertEquals(subnet.networkSecurityGroup().id(), vnet.subnets().get("locked").networkSecurityGroupId());
    assertNull(vnet.subnets().get("default").networkSecurityGroupId());

    // asg-01: the rule's source is an application security group, not an address prefix.
    NetworkSecurityGroup asgNsg = sdk.network.networkSecurityGroups().getByResourceGroup("rg-prod", "asg-01-nsg");
    NetworkSecurityRule asgRule = asgNsg.securityRules().get("Allow-RDP-From-Admins");
    assertTrue(asgRule.sourceApplicationSecurityGroupIds().iterator().next().endsWith("/asg-admins"));
    NetworkInterface asgNic = sdk.network.networkInterfaces().getByResourceGroup("rg-prod", "asg-01-nic");
    assertEquals(1, asgNic.primaryIPConfiguration().innerModel().applicationSecurityGroups().size());

    // private-01 has no public IP; NSG listing covers every NIC NSG plus the subnet NSG.
    assertNull(sdk.network.networkInterfaces().getByResourceGroup("rg-prod", "private-01-nic")
        .primaryIPConfiguration().publicIpAddressId());
    // 16 VMs of the first catalogue and the subnet NSG, plus the 6 guest cases of issue 8.
    assertEquals(23, sdk.network.networkSecurityGroups().listByResourceGroup("rg-prod").stream().count());
  }

  @Test
  void runCommandRoundTripReturnsTheGuestsOutput() {
    SdkHarness sdk = sdk(start("fast/4", null));
    RunCommandResult result = sdk.compute.virtualMachines().runPowerShellScript("rg-prod", "healthy-01",
        List.of("Write-Output a", "Write-Output b"),
        List.of(new RunCommandInputParameter().withName("RunId").withValue("20261123T050000Z-k3x9q2")));
    assertEquals("ComponentStatus/StdOut/succeeded", result.value().get(0).code());
    assertEquals("guest healthy-01 ran Write-Output a|Write-Output b with {RunId=20261123T050000Z-k3x9q2}"
        + " (run 1, restarts 0)", result.value().get(0).message());
    assertEquals("ComponentStatus/StdErr/succeeded", result.value().get(1).code());
    assertEquals(1, guests.latest.get("healthy-01").runs);
    List<ServedRequest> ops = sim.requests().stream().filter(r -> r.route().equals("operation")).toList();
    assertTrue(ops.stream().anyMatch(r -> r.query().contains("monitor=true")), "result read from Location");
  }

  @Test
  void secondRunCommandWhileOneRunsIsConflict() {
    SdkHarness sdk = sdk(start("fast", null));
    SyncPoller<PollResult<RunCommandResultInner>, RunCommandResultInner> first = sdk.compute.serviceClient()
        .getVirtualMachines().beginRunCommand("rg-prod", "healthy-01",
            new RunCommandInput().withCommandId("RunPowerShellScript").withScript(List.of("Write-Output 1")));
    ManagementException e = assertThrows(ManagementException.class, () -> sdk.compute.virtualMachines()
        .runPowerShellScript("rg-prod", "healthy-01", List.of("Write-Output 2"), List.of()));
    assertEquals(409, e.getResponse().getStatusCode());
    assertEquals("Conflict", e.getValue().getCode());
    assertEquals("Run command extension execution is in progress. Please wait for completion before invoking a run"
        + " command.", e.getValue().getMessage());
    assertEquals(LongRunningOperationStatus.SUCCESSFULLY_COMPLETED,
        first.waitForCompletion(Duration.ofSeconds(20)).getStatus());
    assertTrue(first.getFinalResult().value().get(0).message().contains("Write-Output 1"));
  }

  @Test
  void restartGoesThroughStartingAndRestartsTheGuest() throws Exception {
    SdkHarness sdk = sdk(start("fast", null));
    var poller = sdk.compute.serviceClient().getVirtualMachines().beginRestart("rg-prod", "healthy-01");
    assertEquals(PowerState.STARTING,
        sdk.compute.virtualMachines().getByResourceGroup("rg-prod", "healthy-01").powerState());
    assertEquals(LongRunningOperationStatus.SUCCESSFULLY_COMPLETED,
        poller.waitForCompletion(Duration.ofSeconds(20)).getStatus());
    VirtualMachine vm = sdk.compute.virtualMachines().getByResourceGroup("rg-prod", "healthy-01");
    assertEquals(PowerState.RUNNING, vm.powerState());
    assertEquals(1, guests.latest.get("healthy-01").restarts);
    assertEquals("Not Ready", vm.instanceView().vmAgent().statuses().get(0).displayStatus(),
        "the agent reports Ready a little after boot");
    time.advance(Duration.ofMillis(1100));
    vm.refreshInstanceView();
    assertEquals("Ready", vm.instanceView().vmAgent().statuses().get(0).displayStatus());
  }

  @Test
  void fluentRestartAndDeallocateThenStartComplete() {
    SdkHarness sdk = sdk(start("fast/4", null));
    sdk.compute.virtualMachines().restart("rg-prod", "web-01");
    assertEquals(1, guests.latest.get("web-01").restarts);
    sdk.compute.virtualMachines().deallocate("rg-prod", "web-01");
    assertEquals(PowerState.DEALLOCATED,
        sdk.compute.virtualMachines().getByResourceGroup("rg-prod", "web-01").powerState());
    sdk.compute.virtualMachines().start("rg-prod", "web-01");
    assertEquals(PowerState.RUNNING,
        sdk.compute.virtualMachines().getByResourceGroup("rg-prod", "web-01").powerState());
    assertEquals(2, guests.latest.get("web-01").restarts, "a start boots the guest too");
    sdk.compute.serviceClient().getVirtualMachines().reapply("rg-prod", "web-01");
    assertEquals(1, guests.latest.get("web-01").reapplies);
  }

  @Test
  void runCommandOnDeallocatedVmIsNotAllowed() {
    SdkHarness sdk = sdk(start("fast/4", null));
    ManagementException e = assertThrows(ManagementException.class, () -> sdk.compute.virtualMachines()
        .runPowerShellScript("rg-prod", "deallocated-01", List.of("Write-Output 1"), List.of()));
    assertEquals(409, e.getResponse().getStatusCode());
    assertEquals("OperationNotAllowed", e.getValue().getCode());
    assertEquals("The operation requires the VM to be running (or set to run).", e.getValue().getMessage());
  }

  @Test
  void runCommandWithAgentDownFailsWithAgentError() {
    SdkHarness sdk = sdk(start("fast/4", null));
    ManagementException e = assertThrows(ManagementException.class, () -> sdk.compute.virtualMachines()
        .runPowerShellScript("rg-prod", "agent-down-01", List.of("Write-Output 1"), List.of()));
    assertEquals("VMAgentStatusCommunicationError", e.getValue().getCode());
    assertTrue(e.getValue().getMessage().startsWith("VM 'agent-down-01' has not reported status for VM agent"));
    assertEquals(0, guests.latest.getOrDefault("agent-down-01", new FakeGuests.Guest("x", "y")).runs);
  }

  @Test
  void runPowerShellOnLinuxIsNotFound() {
    SdkHarness sdk = sdk(start("fast/4", null));
    ManagementException e = assertThrows(ManagementException.class, () -> sdk.compute.virtualMachines()
        .runPowerShellScript("rg-prod", "linux-01", List.of("Write-Output 1"), List.of()));
    assertEquals(404, e.getResponse().getStatusCode());
    assertEquals("NotFound", e.getValue().getCode());
  }

  @Test
  void unknownVmIsResourceNotFound() {
    SdkHarness sdk = sdk(start("fast/4", null));
    ManagementException e = assertThrows(ManagementException.class,
        () -> sdk.compute.virtualMachines().getByResourceGroup("rg-prod", "nope-01"));
    assertEquals(404, e.getResponse().getStatusCode());
    assertEquals("ResourceNotFound", e.getValue().getCode());
    assertTrue(e.getValue().getMessage().contains("'Microsoft.Compute/virtualMachines/nope-01'"));
    ManagementException rg = assertThrows(ManagementException.class,
        () -> sdk.compute.virtualMachines().getByResourceGroup("rg-nope", "web-01"));
    assertEquals("ResourceGroupNotFound", rg.getValue().getCode());
  }

  @Test
  void requestsWithoutTheTokenAreRejected() throws Exception {
    SdkHarness sdk = sdk(start("fast/4", null));
    URI vm = sim.armEndpoint().resolve("subscriptions/" + sim.subscriptionId()
        + "/resourceGroups/rg-prod/providers/Microsoft.Compute/virtualMachines/web-01?api-version=2025-04-01");
    HttpResponse<String> none = sdk.get(vm, null);
    assertEquals(401, none.statusCode());
    assertEquals("AuthenticationFailed", JSON.readTree(none.body()).path("error").path("code").asText());
    HttpResponse<String> wrong = sdk.get(vm, "Bearer not-the-token");
    assertEquals(401, wrong.statusCode());
    assertEquals("InvalidAuthenticationToken", JSON.readTree(wrong.body()).path("error").path("code").asText());
    assertEquals(200, sdk.get(vm, "Bearer " + sim.accessToken()).statusCode());
  }

  @Test
  void unknownRoutesAndApiVersionsGetArmErrors() throws Exception {
    SdkHarness sdk = sdk(start("fast/4", null));
    String auth = "Bearer " + sim.accessToken();
    String vmPath = "subscriptions/" + sim.subscriptionId()
        + "/resourceGroups/rg-prod/providers/Microsoft.Compute/virtualMachines/web-01";
    HttpResponse<String> oldApi = sdk.get(sim.armEndpoint().resolve(vmPath + "?api-version=2019-07-01"), auth);
    assertEquals(400, oldApi.statusCode());
    assertEquals("NoRegisteredProviderFound", JSON.readTree(oldApi.body()).path("error").path("code").asText());
    HttpResponse<String> unknown = sdk.get(sim.armEndpoint().resolve(vmPath + "/extensions?api-version=2025-04-01"),
        auth);
    assertEquals(404, unknown.statusCode());
    assertTrue(JSON.readTree(unknown.body()).path("error").path("message").asText().contains("extensions"));
    assertEquals("unknown", sim.requests().get(sim.requests().size() - 1).route());
  }

  @Test
  void stateSurvivesAcrossSimulatorInstancesAndOperationsCompleteByWallClock() throws Exception {
    Path state = dir.resolve("state.json");
    SdkHarness sdk = sdk(start("fast/4", null));
    sdk.compute.virtualMachines().deallocate("rg-prod", "healthy-01");
    sdk.compute.virtualMachines().runPowerShellScript("rg-prod", "web-01", List.of("Write-Output 1"), List.of());
    sdk.compute.serviceClient().getVirtualMachines().beginRestart("rg-prod", "clock-skew-01");
    sim.close();
    assertTrue(Files.exists(state));
    JsonNode saved = JSON.readTree(state.toFile());
    assertEquals("deallocated", saved.path("vms").path("rg-prod/healthy-01").path("power").asText());

    time.advance(Duration.ofMillis(600)); // the restart (500 ms at fast/4) finishes while no simulator runs
    FakeGuests second = new FakeGuests();
    sim = SimulatedAzure.start(options(state, "fast/4", null), second,
        RdpListenerFactoryStub.NONE);
    SdkHarness sdk2 = sdk(sim);
    assertEquals(PowerState.DEALLOCATED,
        sdk2.compute.virtualMachines().getByResourceGroup("rg-prod", "healthy-01").powerState());
    assertEquals(PowerState.RUNNING,
        sdk2.compute.virtualMachines().getByResourceGroup("rg-prod", "clock-skew-01").powerState());
    assertEquals(1, second.latest.get("clock-skew-01").restarts, "the restart was applied from the state file");
    RunCommandResult again = sdk2.compute.virtualMachines().runPowerShellScript("rg-prod", "web-01",
        List.of("Write-Output 2"), List.of());
    assertTrue(again.value().get(0).message().endsWith("(run 2, restarts 0)"), "the guest was restored, not reset");

    sim.close();
    SimulatedAzure.reset(state);
    assertFalse(Files.exists(state));
  }

  @Test
  void twoSimulatorsOnOneStateFileSeeEachOthersOperations() {
    SdkHarness first = sdk(start("fast", null));
    first.compute.serviceClient().getVirtualMachines().beginRunCommand("rg-prod", "web-01",
        new RunCommandInput().withCommandId("RunPowerShellScript").withScript(List.of("Write-Output 1")));
    try (SimulatedAzure other = SimulatedAzure.start(options(dir.resolve("state.json"), "fast", null),
        new FakeGuests(), RdpListenerFactoryStub.NONE)) {
      SdkHarness second = sdk(other);
      ManagementException e = assertThrows(ManagementException.class, () -> second.compute.virtualMachines()
          .runPowerShellScript("rg-prod", "web-01", List.of("Write-Output 2"), List.of()));
      assertEquals("Conflict", e.getValue().getCode());
      assertEquals(PowerState.RUNNING,
          second.compute.virtualMachines().getByResourceGroup("rg-prod", "web-01").powerState());
    }
  }

  @Test
  void throttledRequestIsRetriedAfterRetryAfter() {
    SdkHarness sdk = sdk(start("fast/4", "429:vm-get:1"));
    VirtualMachine vm = sdk.compute.virtualMachines().getByResourceGroup("rg-prod", "web-01");
    assertEquals("web-01", vm.name());
    assertEquals(List.of(Duration.ofSeconds(1)), sdk.warp.retryAfters, "the 429 asks to retry after 1 s");
    List<Integer> statuses = sim.requests().stream().filter(r -> r.route().equals("vm-get"))
        .map(ServedRequest::status).toList();
    assertEquals(429, statuses.get(0));
    assertEquals(200, statuses.get(1));
  }

  @Test
  void resetConnectionIsRetriedBySdk() {
    SdkHarness sdk = sdk(start("fast/4", "reset:nic-get:1,500:pip-get:1"));
    NetworkInterface nic = sdk.network.networkInterfaces().getByResourceGroup("rg-prod", "web-01-nic");
    assertEquals("10.10.1.4", nic.primaryPrivateIP());
    PublicIpAddress pip = sdk.network.publicIpAddresses().getByResourceGroup("rg-prod", "web-01-ip");
    assertEquals("203.0.113.10", pip.ipAddress());
    Map<String, List<Integer>> byRoute = sim.requests().stream().collect(Collectors.groupingBy(ServedRequest::route,
        Collectors.mapping(ServedRequest::status, Collectors.toList())));
    assertEquals(List.of(0, 200), byRoute.get("nic-get"));
    assertEquals(List.of(500, 200), byRoute.get("pip-get"));
  }

  @Test
  void injectedLatencyKeepsParallelRequestsInOneWave() throws Exception {
    // Injected latency measured in real time: the simulator really sleeps, in parallel for parallel requests.
    sim = SimulatedAzure.start(new SimulatedAzure.Options(dir.resolve("state.json"), "fast/4", "latency:300ms", 0)
        .withTime(time, Sleeper.REAL), guests, RdpListenerFactoryStub.NONE);
    SdkHarness sdk = sdk(sim);
    String auth = "Bearer " + sim.accessToken();
    List<java.util.concurrent.CompletableFuture<HttpResponse<String>>> calls = new java.util.ArrayList<>();
    for (int i = 0; i < 12; i++) {
      URI nsg = sim.armEndpoint().resolve("subscriptions/" + sim.subscriptionId() + "/resourceGroups/rg-prod/providers"
          + "/Microsoft.Network/networkSecurityGroups/web-01-nsg?api-version=2025-03-01");
      calls.add(sdk.raw.sendAsync(java.net.http.HttpRequest.newBuilder(nsg).header("Authorization", auth).build(),
          HttpResponse.BodyHandlers.ofString()));
    }
    for (var c : calls) {
      assertEquals(200, c.get().statusCode());
    }
    List<ServedRequest> served = sim.requests();
    assertEquals(12, served.size());
    long firstEnd = served.stream().mapToLong(ServedRequest::endNanos).min().orElseThrow();
    long lastStart = served.stream().mapToLong(ServedRequest::startNanos).max().orElseThrow();
    assertTrue(lastStart < firstEnd, "all 12 requests were in flight together (one wave)");
    assertTrue(served.stream().allMatch(r -> r.endNanos() - r.startNanos() >= 300_000_000L), "latency applied");
  }

  @Test
  void invalidSpecsAreUsageErrors() {
    Path state = dir.resolve("state.json");
    AzrdpfixException fault = assertThrows(AzrdpfixException.class, () -> SimulatedAzure.start(
        new SimulatedAzure.Options(state, "fast", "429:vm-gett:1", 0), guests, RdpListenerFactoryStub.NONE));
    assertEquals(ExitCode.USAGE, fault.exitCode());
    assertTrue(fault.getMessage().startsWith("Invalid simulator fault '429:vm-gett:1'"));
    assertFalse(fault.getMessage().contains("\n"));
    AzrdpfixException latency = assertThrows(AzrdpfixException.class, () -> SimulatedAzure.start(
        new SimulatedAzure.Options(state, "slow", null, 0), guests, RdpListenerFactoryStub.NONE));
    assertEquals(ExitCode.USAGE, latency.exitCode());
  }

  @Test
  void corruptStateFileIsAPreconditionError() throws Exception {
    Path state = dir.resolve("state.json");
    Files.writeString(state, "{not json");
    AzrdpfixException e = assertThrows(AzrdpfixException.class, () -> SimulatedAzure.start(
        new SimulatedAzure.Options(state, "fast", null, 0), guests, RdpListenerFactoryStub.NONE));
    assertEquals(ExitCode.PRECONDITION, e.exitCode());
    assertTrue(e.getMessage().contains("azrdpfix simulator reset"));
  }

  @Test
  void connectionInfoCarriesTheCertificate() throws Exception {
    start("fast", null);
    var out = new java.io.ByteArrayOutputStream();
    Path pem = dir.resolve("ca.pem");
    sim.printConnectionInfo(new java.io.PrintStream(out, true, "UTF-8"), pem);
    String text = out.toString("UTF-8");
    assertTrue(text.contains(sim.armEndpoint().toString()));
    assertTrue(text.contains(sim.subscriptionId()));
    assertTrue(Files.readString(pem).startsWith("-----BEGIN CERTIFICATE-----"));
    var cert = java.security.cert.CertificateFactory.getInstance("X.509")
        .generateCertificate(Files.newInputStream(pem));
    assertEquals(sim.trustStore().getCertificate("simulator"), cert);
    assertNotNull(sim.trustStore().getCertificate("simulator"));
    assertEquals(1, java.util.Collections.list(sim.trustStore().aliases()).size());
  }

  /** No RDP listeners: these tests exercise ARM only. */
  enum RdpListenerFactoryStub implements RdpListenerFactory {
    NONE;

    @Override
    public Listener open(java.util.function.Supplier<dev.azrdpfix.simulator.rdp.RdpBehaviour> behaviour) {
      throw new AssertionError("no RDP listener expected in ARM tests");
    }
  }
}
