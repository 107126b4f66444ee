package dev.azrdpfix.simulator.arm;

import dev.azrdpfix.simulator.arm.SimState.Operation;
import dev.azrdpfix.simulator.arm.SimState.VmState;
import dev.azrdpfix.simulator.guest.GuestRuntime;
import dev.azrdpfix.simulator.rdp.RdpBehaviour;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * The rules of the simulated compute provider: what an action does to a VM, how long it takes, and what a VM looks
 * like at a given instant. Operations complete by wall clock: {@link #settle} applies every operation whose end time
 * has passed, so a later request (or a later process) sees it done.
 */
public final class Simulation {
  public static final String RUN_COMMAND = "runCommand";
  static final String AGENT_ERROR = "VMAgentStatusCommunicationError";
  private static final Duration KEEP_FINISHED = Duration.ofHours(1);

  private final Catalogue catalogue;
  private final LatencyProfile latency;
  private final GuestFactory guests;

  public Simulation(Catalogue catalogue, LatencyProfile latency, GuestFactory guests) {
    this.catalogue = catalogue;
    this.latency = latency;
    this.guests = guests;
  }

  public Catalogue catalogue() {
    return catalogue;
  }

  public LatencyProfile latency() {
    return latency;
  }

  /** Completes every operation whose end time has passed, in end-time order, and forgets old finished ones. */
  public void settle(SimState s, Instant now) {
    List<Operation> due = s.operations.stream()
        .filter(o -> o.inProgress() && !o.end.isAfter(now))
        .sorted(Comparator.comparing(o -> o.end))
        .toList();
    for (Operation o : due) {
      complete(s, o);
      s.dirty = true;
    }
    if (s.operations.removeIf(o -> !o.inProgress() && o.end.plus(KEEP_FINISHED).isBefore(now))) {
      s.dirty = true;
    }
  }

  private void complete(SimState s, Operation o) {
    Catalogue.Vm vm = vmOf(o);
    VmState v = s.vms.get(o.vmKey);
    o.status = "Succeeded";
    if (o.noop) {
      return;
    }
    switch (o.kind) {
      case RUN_COMMAND -> runScript(s, vm, o);
      case "restart", "start" -> {
        v.power = "running";
        guest(s, vm, o.end).ifPresent(g -> g.restart(o.end));
        v.agentReadyAt = o.end.plus(latency.agentReadyAfterBoot());
      }
      case "powerOff" -> {
        v.power = "stopped";
        v.agentReadyAt = null;
      }
      case "deallocate" -> {
        v.power = "deallocated";
        v.agentReadyAt = null;
      }
      case "reapply" -> guest(s, vm, o.end).ifPresent(g -> g.reapply(o.end));
      default -> throw new IllegalStateException("unknown operation kind " + o.kind);
    }
  }

  private void runScript(SimState s, Catalogue.Vm vm, Operation o) {
    if (!vm.windows()) {
      o.stdout = "";
      o.stderr = "";
      return;
    }
    if (!agentReady(s, vm, o.end)) {
      fail(o, AGENT_ERROR, "VM '" + vm.name() + "' has not reported status for VM agent or extensions. Please verify"
          + " the VM has a running VM agent, and can establish outbound connections to Azure storage.");
      return;
    }
    try {
      GuestRuntime.RunOutput out = guest(s, vm, o.end).orElseThrow().runPowerShell(o.script, o.parameters, o.end);
      o.stdout = out.stdout() == null ? "" : out.stdout();
      o.stderr = out.stderr() == null ? "" : out.stderr();
    } catch (RuntimeException e) {
      fail(o, "VMExtensionProvisioningError", "VM has reported a failure when processing extension"
          + " 'RunCommandWindows'. Error message: \"" + e.getMessage() + "\".");
    }
  }

  private static void fail(Operation o, String code, String message) {
    o.status = "Failed";
    o.errorCode = code;
    o.errorMessage = message;
  }

  private Catalogue.Vm vmOf(Operation o) {
    return catalogue.vms().stream().filter(v -> v.key().equals(o.vmKey)).findFirst().orElseThrow();
  }

  /** The guest of a Windows VM, restored or created on first use (creation is a state change). */
  public Optional<GuestRuntime> guest(SimState s, Catalogue.Vm vm, Instant now) {
    if (!vm.windows()) {
      return Optional.empty();
    }
    VmState v = s.vms.get(vm.key());
    if (v.guest == null) {
      if (v.guestJson != null) {
        v.guest = guests.restore(v.guestJson);
      } else {
        v.guest = guests.create(vm.name(), vm.fault(), now);
        s.dirty = true;
      }
    }
    return Optional.of(v.guest);
  }

  /** The lifecycle operation in progress on a VM, if any (Run Command excluded). */
  private Optional<Operation> lifecycleInProgress(SimState s, Catalogue.Vm vm) {
    return s.operations.stream()
        .filter(o -> o.inProgress() && o.vmKey.equals(vm.key()) && !o.kind.equals(RUN_COMMAND))
        .findFirst();
  }

  /** The Azure power state ("running", "starting", "deallocated", …) at {@code now}. */
  public String power(SimState s, Catalogue.Vm vm, Instant now) {
    return lifecycleInProgress(s, vm)
        .filter(o -> !o.noop)
        .map(o -> switch (o.kind) {
          case "restart", "start" -> "starting";
          case "powerOff" -> "stopping";
          case "deallocate" -> "deallocating";
          default -> s.vms.get(vm.key()).power;
        })
        .orElse(s.vms.get(vm.key()).power);
  }

  /** Whether any operation (including Run Command) is changing the VM. */
  public boolean updating(SimState s, Catalogue.Vm vm) {
    return s.operations.stream().anyMatch(o -> o.inProgress() && o.vmKey.equals(vm.key()) && !o.noop);
  }

  public boolean agentReady(SimState s, Catalogue.Vm vm, Instant now) {
    VmState v = s.vms.get(vm.key());
    if (vm.agentDown() || !"running".equals(power(s, vm, now)) || v.agentReadyAt == null
        || now.isBefore(v.agentReadyAt)) {
      return false;
    }
    return guest(s, vm, now).map(GuestRuntime::agentReady).orElse(true);
  }

  /** Starts Run Command ({@code script} non-null) or a power action; throws {@link ArmError} when ARM would refuse. */
  public Operation begin(SimState s, Catalogue.Vm vm, String kind, List<String> script, Map<String, String> params,
      Instant now) {
    String power = power(s, vm, now);
    Operation o = new Operation();
    o.id = UUID.randomUUID().toString();
    o.kind = kind;
    o.vmKey = vm.key();
    o.start = now;
    Duration d;
    if (kind.equals(RUN_COMMAND)) {
      if (!power.equals("running") && !power.equals("starting")) {
        throw new ArmError(409, "OperationNotAllowed", "The operation requires the VM to be running (or set to run).");
      }
      boolean busy = s.operations.stream()
          .anyMatch(x -> x.inProgress() && x.vmKey.equals(vm.key()) && x.kind.equals(RUN_COMMAND));
      if (busy) {
        throw new ArmError(409, "Conflict", "Run command extension execution is in progress. Please wait for"
            + " completion before invoking a run command.");
      }
      o.script = List.copyOf(script);
      o.parameters = Map.copyOf(params);
      d = latency.runCommand();
    } else {
      if (lifecycleInProgress(s, vm).isPresent()) {
        throw new ArmError(409, "OperationNotAllowed", "Operation '" + kind + "' is not allowed on VM '" + vm.name()
            + "' since the VM is busy with another operation. Please retry after it completes.");
      }
      switch (kind) {
        case "restart" -> {
          if (!power.equals("running")) {
            throw new ArmError(409, "OperationNotAllowed", "Cannot restart VM '" + vm.name() + "' because it is "
                + power + ". The operation requires the VM to be running (or set to run).");
          }
          d = latency.restart();
        }
        case "start" -> {
          o.noop = power.equals("running");
          d = latency.start();
        }
        case "powerOff" -> {
          o.noop = power.equals("stopped") || power.equals("deallocated");
          d = latency.powerOff();
        }
        case "deallocate" -> {
          o.noop = power.equals("deallocated");
          d = latency.deallocate();
        }
        case "reapply" -> {
          if (!power.equals("running")) {
            throw new ArmError(409, "OperationNotAllowed", "The operation requires the VM to be running (or set to"
                + " run).");
          }
          d = latency.reapply();
        }
        default -> throw new IllegalArgumentException(kind);
      }
      if (o.noop) {
        d = Duration.ZERO;
      }
    }
    o.end = now.plus(d);
    s.operations.add(o);
    s.dirty = true;
    return o;
  }

  public Optional<Operation> operation(SimState s, String id) {
    return s.operations.stream().filter(o -> o.id.equalsIgnoreCase(id)).findFirst();
  }

  /**
   * How the VM's RDP endpoint answers at {@code now}: a VM that is not running drops packets (its IP does not
   * answer), as does the public path of a VM whose NSG denies RDP; otherwise the guest decides.
   */
  public RdpBehaviour rdpBehaviour(SimState s, Catalogue.Vm vm, boolean publicPath, Instant now) {
    if (!"running".equals(power(s, vm, now)) || (publicPath && vm.publicPathBlocked())) {
      return new RdpBehaviour(RdpBehaviour.Mode.BLACKHOLE, null, null, Duration.ZERO, vm.name());
    }
    return guest(s, vm, now).orElseThrow().rdpBehaviour(now);
  }
}
