package dev.azrdpfix.core.fakes;

import dev.azrdpfix.core.VmNotFoundException;
import dev.azrdpfix.core.model.VmRef;
import dev.azrdpfix.core.model.VmSnapshot;
import dev.azrdpfix.core.port.AzureGateway;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * {@link AzureGateway} for workflow tests: one subscription with VMs by resource group, scripted power/agent states
 * for the waits, and a log of every call. Run Command is not offered: workflows reach the guest through a
 * {@link FakeGuest}.
 */
public final class FakeAzure implements AzureGateway {
  public static final String SUB = "00000000-0000-0000-0000-0000000000aa";

  private final List<VmSnapshot> vms = new ArrayList<>();
  private final Deque<VmState> states = new ArrayDeque<>();
  private VmState steady = new VmState("running", "Ready", null);
  /** Every call, in order: list, inspect, state, restart, start, reapply. */
  public final List<String> calls = Collections.synchronizedList(new ArrayList<>());
  /** Runs at each call with its name, before the call answers: tests block or fail here. */
  public volatile Consumer<String> onCall = name -> {};

  /** A running Windows VM with a Ready agent and a Basic public IP (open to RDP: no NSG). */
  public static VmSnapshot windowsVm(String group, String name) {
    return vm(group, name, "Windows", "running", "Ready", "20.1.2.3");
  }

  /** A running Windows VM behind a Standard public IP and no NSG: Azure admits no inbound traffic. */
  public static VmSnapshot closedByAzure(String group, String name) {
    return vm(group, name, "Windows", "running", "Ready", "20.1.2.9", "Standard");
  }

  public static VmSnapshot vm(String group, String name, String os, String power, String agent, String publicIp) {
    return vm(group, name, os, power, agent, publicIp, "Basic");
  }

  private static VmSnapshot vm(String group, String name, String os, String power, String agent, String publicIp,
      String sku) {
    VmSnapshot.PublicIpInfo pip = publicIp == null ? null : new VmSnapshot.PublicIpInfo("pip-id", name + "-ip",
        publicIp, null, sku);
    VmSnapshot.NicInfo nic = new VmSnapshot.NicInfo("nic-id", name + "-nic", true, List.of("10.0.0.4"), List.of(),
        "subnet-id", pip, null, null);
    return new VmSnapshot("/subscriptions/" + SUB + "/resourceGroups/" + group
        + "/providers/Microsoft.Compute/virtualMachines/" + name, SUB, group, name, "westeurope", os,
        "Windows Server 2022", "10.0.20348", name, "Standard_B2s", power, "Succeeded",
        new VmSnapshot.AgentStatus(agent, "2.7.41491.1102", null), true, List.of(nic));
  }

  public FakeAzure with(VmSnapshot vm) {
    vms.add(vm);
    return this;
  }

  /** The states {@link #state} answers, in order; the last one repeats. */
  public FakeAzure states(VmState... sequence) {
    states.clear();
    for (int i = 0; i < sequence.length - 1; i++) {
      states.add(sequence[i]);
    }
    steady = sequence[sequence.length - 1];
    return this;
  }

  public static VmState state(String power, String agent) {
    return new VmState(power, agent, null);
  }

  /** The calls other than state polls. */
  public List<String> changesAndReads() {
    synchronized (calls) {
      return calls.stream().filter(c -> !c.equals("state")).toList();
    }
  }

  private void call(String name) {
    calls.add(name);
    onCall.accept(name);
  }

  @Override
  public String subscriptionId() {
    return SUB;
  }

  @Override
  public List<VmRef> findVmsByName(String name) {
    call("list");
    return vms.stream().filter(v -> v.name().equals(name)).map(VmSnapshot::ref).toList();
  }

  @Override
  public VmSnapshot inspect(VmRef ref) {
    call("inspect");
    return vms.stream().filter(v -> v.name().equals(ref.name()) && v.resourceGroup().equals(ref.resourceGroup()))
        .findFirst().orElseThrow(() -> new VmNotFoundException("VM " + ref.display() + " does not exist", null));
  }

  @Override
  public synchronized VmState state(VmRef vm) {
    call("state");
    return states.isEmpty() ? steady : states.poll();
  }

  @Override
  public RunOutput runPowerShell(VmRef vm, List<String> scriptLines, Map<String, String> parameters,
      Duration timeout) {
    throw new AssertionError("workflows reach the guest through the GuestChannel, not Run Command directly");
  }

  @Override
  public void restart(VmRef vm, Duration timeout) {
    call("restart");
  }

  @Override
  public void start(VmRef vm, Duration timeout) {
    call("start");
  }

  @Override
  public void reapply(VmRef vm, Duration timeout) {
    call("reapply");
  }
}
