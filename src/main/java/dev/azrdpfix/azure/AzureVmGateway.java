package dev.azrdpfix.azure;

import com.azure.core.util.Context;
import com.azure.core.util.polling.LongRunningOperationStatus;
import com.azure.core.util.polling.PollResponse;
import com.azure.core.util.polling.SyncPoller;
import com.azure.resourcemanager.compute.fluent.VirtualMachinesClient;
import com.azure.resourcemanager.compute.fluent.models.RunCommandResultInner;
import com.azure.resourcemanager.compute.fluent.models.VirtualMachineInner;
import com.azure.resourcemanager.compute.models.InstanceViewStatus;
import com.azure.resourcemanager.compute.models.InstanceViewTypes;
import com.azure.resourcemanager.compute.models.RunCommandInput;
import com.azure.resourcemanager.compute.models.RunCommandInputParameter;
import dev.azrdpfix.core.AzrdpfixException;
import dev.azrdpfix.core.OutcomeUnknownException;
import dev.azrdpfix.core.model.VmRef;
import dev.azrdpfix.core.model.VmSnapshot;
import dev.azrdpfix.core.port.AzureGateway;
import dev.azrdpfix.core.port.Progress;
import dev.azrdpfix.core.port.Sleeper;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * {@link AzureGateway} over the real Azure SDK. {@link #inspect} reads a single-NIC VM in three waves of parallel
 * GETs: the VM with its instance view (here); then, in {@link NetworkReader}, the NIC and the NSGs of the NIC's
 * resource group (which name the subnets they guard), then the public IP and, only when the subnet's NSG was not among
 * them, the subnet (and, rarely, its NSG). {@link SnapshotMapper} turns the SDK models into core's snapshot.
 */
public final class AzureVmGateway implements AzureGateway, AutoCloseable {
  private final AzureClients clients;
  private final String endpoint;
  private final Duration pollInterval;
  private final Sleeper sleeper;
  private final Clock clock;
  private final ExecutorService pool = Executors.newFixedThreadPool(4, r -> {
    Thread t = new Thread(r, "azrdpfix-arm");
    t.setDaemon(true);
    return t;
  });

  private AzureVmGateway(AzureClients clients, String endpoint, Duration pollInterval, Sleeper sleeper, Clock clock) {
    this.clients = clients;
    this.endpoint = endpoint;
    this.pollInterval = pollInterval;
    this.sleeper = sleeper;
    this.clock = clock;
  }

  /** Authenticates (one token request, failing fast) and builds the SDK clients; waits in real time. */
  public static AzureVmGateway connect(AzureSettings settings, Progress progress) {
    return connect(settings, progress, Sleeper.REAL, Clock.systemUTC());
  }

  /**
   * Authenticates and builds the SDK clients. Every wait (LRO polls, retry backoff, {@code Retry-After}) goes through
   * {@code sleeper}, and every deadline is read from {@code clock}: tests pass virtual time.
   */
  public static AzureVmGateway connect(AzureSettings settings, Progress progress, Sleeper sleeper, Clock clock) {
    String endpoint = settings.effectiveArmEndpoint();
    try {
      return new AzureVmGateway(AzureClients.connect(settings, progress, sleeper, clock), endpoint,
          settings.pollInterval(), sleeper, clock);
    } catch (RuntimeException e) {
      throw AzureErrors.map(e, "connecting to Azure", endpoint);
    }
  }

  @Override
  public String subscriptionId() {
    return clients.profile.getSubscriptionId();
  }

  /** The current identity's permissions at a VM's scope, through this gateway's SDK pipeline. */
  public dev.azrdpfix.core.port.PermissionReader permissions() {
    return new ArmPermissions(clients.compute.httpPipeline(), endpoint);
  }

  private VirtualMachinesClient vms() {
    return clients.compute.serviceClient().getVirtualMachines();
  }

  @Override
  public List<VmRef> findVmsByName(String name) {
    return call("listing VMs in subscription " + subscriptionId(), () -> {
      List<VmRef> found = new ArrayList<>();
      for (VirtualMachineInner vm : vms().list()) {
        if (vm.name().equalsIgnoreCase(name)) {
          found.add(new VmRef(subscriptionId(), ResourceIds.segment(vm.id(), "resourceGroups"), vm.name()));
        }
      }
      return found;
    });
  }

  @Override
  public VmSnapshot inspect(VmRef vm) {
    VirtualMachineInner inner = readVm(vm); // wave 1
    List<SnapshotMapper.NicRef> nics = SnapshotMapper.nicRefs(inner);
    NetworkReader.Network network = new NetworkReader(clients.network, pool, endpoint)
        .read(nics.stream().map(SnapshotMapper.NicRef::id).toList());
    return SnapshotMapper.snapshot(inner, subscriptionId(), nics, network);
  }

  /** The VM with its instance view; 404 is "not found", which inspect reports and the other commands refuse. */
  private VirtualMachineInner readVm(VmRef vm) {
    try {
      return vms().getByResourceGroupWithResponse(vm.resourceGroup(), vm.name(), InstanceViewTypes.INSTANCE_VIEW,
          Context.NONE).getValue();
    } catch (RuntimeException e) {
      var mapped = AzureErrors.map(e, "reading VM '" + vm.display() + "'", endpoint);
      var me = AzureErrors.findCause(e, com.azure.core.management.exception.ManagementException.class);
      if (me != null && me.getResponse() != null && me.getResponse().getStatusCode() == 404) {
        throw new dev.azrdpfix.core.VmNotFoundException(mapped.getMessage(), e);
      }
      throw mapped;
    }
  }

  @Override
  public VmState state(VmRef vm) {
    return call("reading the state of VM '" + vm.display() + "'",
        () -> SnapshotMapper.stateOf(vms().instanceView(vm.resourceGroup(), vm.name())));
  }

  @Override
  public RunOutput runPowerShell(VmRef vm, List<String> lines, Map<String, String> parameters, Duration timeout) {
    Instant started = clock.instant();
    RunCommandResultInner result = change("running a script on VM '" + vm.display() + "' through Run Command",
        () -> {
          List<RunCommandInputParameter> params = new ArrayList<>();
          parameters.forEach((k, v) -> params.add(new RunCommandInputParameter().withName(k).withValue(v)));
          RunCommandInput input = new RunCommandInput().withCommandId("RunPowerShellScript").withScript(lines)
              .withParameters(params);
          return vms().beginRunCommand(vm.resourceGroup(), vm.name(), input);
        }, timeout);
    String stdout = "";
    String stderr = "";
    if (result != null && result.value() != null) {
      for (InstanceViewStatus s : result.value()) {
        String code = s.code() == null ? "" : s.code();
        if (code.contains("StdOut")) {
          stdout = s.message() == null ? "" : s.message();
        } else if (code.contains("StdErr")) {
          stderr = s.message() == null ? "" : s.message();
        }
      }
    }
    return new RunOutput(stdout, stderr, started, clock.instant());
  }

  @Override
  public void restart(VmRef vm, Duration timeout) {
    change("restarting VM '" + vm.display() + "'", () -> vms().beginRestart(vm.resourceGroup(), vm.name()), timeout);
  }

  @Override
  public void start(VmRef vm, Duration timeout) {
    change("starting VM '" + vm.display() + "'", () -> vms().beginStart(vm.resourceGroup(), vm.name()), timeout);
  }

  @Override
  public void reapply(VmRef vm, Duration timeout) {
    change("reapplying VM '" + vm.display() + "'", () -> vms().beginReapply(vm.resourceGroup(), vm.name()), timeout);
  }

  /**
   * Polls a long-running operation until it completes, as the SDK's {@code waitForCompletion(timeout)} would: the
   * poll interval before the first poll, then what ARM asks for ({@code Retry-After}) or else the poll interval; past
   * {@code timeout} it fails with a timeout. Unlike the SDK's loop, every wait goes through the sleeper and the
   * deadline is read from the clock, so tests run it in virtual time.
   */
  private PollResponse<?> awaitCompletion(SyncPoller<?, ?> poller, Duration timeout) {
    Instant deadline = clock.instant().plus(timeout);
    Duration wait = pollInterval;
    while (true) {
      Duration left = Duration.between(clock.instant(), deadline);
      if (left.isNegative() || left.isZero()) {
        throw new RuntimeException(new TimeoutException("the operation did not complete within " + timeout));
      }
      sleeper.sleep(wait.compareTo(left) > 0 ? left : wait);
      PollResponse<?> last = poller.poll();
      if (last.getStatus().isComplete()) {
        return last;
      }
      Duration asked = last.getRetryAfter();
      wait = asked != null && !asked.isNegative() && !asked.isZero() ? asked : pollInterval;
    }
  }

  /**
   * Sends a request that may change the VM (a POST that starts a long-running operation) and waits for its end.
   * A POST that Azure answered with an error changed nothing: that is an ordinary failure. From the moment the
   * request may have reached Azure (the connection failed after it was sent, or Azure accepted it) any failure is an
   * {@link OutcomeUnknownException}: status polls that keep failing, no end within {@code timeout}, an operation that
   * ends Failed or Canceled. It is never sent again.
   */
  private <T> T change(String doing, Supplier<SyncPoller<?, T>> begin, Duration timeout) {
    SyncPoller<?, T> poller;
    try {
      poller = begin.get();
    } catch (RuntimeException e) {
      AzrdpfixException mapped = AzureErrors.map(e, doing, endpoint);
      boolean maybeSent = AzureErrors.findCause(e, AzureClients.PostNotRetried.class) != null
          && AzureErrors.findCause(e, java.net.ConnectException.class) == null;
      if (maybeSent) {
        throw new OutcomeUnknownException(doing + ": the request was sent but the connection failed before Azure"
            + " answered (" + reason(mapped, doing) + "); it may have been carried out, and it is not sent again", e);
      }
      throw mapped;
    }
    try {
      PollResponse<?> last = awaitCompletion(poller, timeout);
      if (last.getStatus() != LongRunningOperationStatus.SUCCESSFULLY_COMPLETED) {
        throw new OutcomeUnknownException(doing + ": Azure accepted the request, but its status could not be read"
            + " or it ended " + last.getStatus() + "; what it did on the VM is unknown", null);
      }
      return poller.getFinalResult();
    } catch (OutcomeUnknownException e) {
      throw e;
    } catch (RuntimeException e) {
      AzrdpfixException mapped = AzureErrors.map(e, doing, endpoint);
      throw new OutcomeUnknownException(doing + ": Azure accepted the request, but its end was not read ("
          + reason(mapped, doing) + "); what it did on the VM is unknown", e);
    }
  }

  /** The why of a mapped error, without its "doing: " prefix and its advice (the caller gives its own). */
  private static String reason(AzrdpfixException mapped, String doing) {
    String m = mapped.getMessage();
    if (m.startsWith(doing + ": ")) {
      m = m.substring(doing.length() + 2);
    }
    int advice = m.indexOf(". ");
    return advice > 0 ? m.substring(0, advice) : m.endsWith(".") ? m.substring(0, m.length() - 1) : m;
  }

  private <T> T call(String doing, Supplier<T> s) {
    try {
      return s.get();
    } catch (RuntimeException e) {
      throw AzureErrors.map(e, doing, endpoint);
    }
  }

  @Override
  public void close() {
    pool.shutdownNow();
  }
}
