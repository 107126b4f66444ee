package dev.azrdpfix.core.repair;

import dev.azrdpfix.core.AzrdpfixException;
import dev.azrdpfix.core.ExitCode;
import dev.azrdpfix.core.guest.GuestAnalyzer;
import dev.azrdpfix.core.guest.GuestDiagnosis;
import dev.azrdpfix.core.guest.GuestFacts;
import dev.azrdpfix.core.guest.GuestRun;
import dev.azrdpfix.core.guest.PlannedStep;
import dev.azrdpfix.core.guest.RepairOptions;
import dev.azrdpfix.core.inspect.InspectWorkflow;
import dev.azrdpfix.core.inspect.NetworkFindings;
import dev.azrdpfix.core.model.Finding;
import dev.azrdpfix.core.model.VmRef;
import dev.azrdpfix.core.model.VmSnapshot;
import dev.azrdpfix.core.port.AzureGateway.VmState;
import dev.azrdpfix.core.port.AzureGateway;
import dev.azrdpfix.core.port.Confirmer;
import dev.azrdpfix.core.port.GuestChannel;
import dev.azrdpfix.core.port.Progress;
import dev.azrdpfix.core.port.Sleeper;
import dev.azrdpfix.core.probe.ProbeRequest;
import dev.azrdpfix.core.probe.ProbeResult;
import dev.azrdpfix.core.probe.RdpProber;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * {@code repair}: read-only diagnosis, a plan in the documented order, confirmation, all steps in one Run Command,
 * exactly one restart through Azure, a bounded wait for the VM and its agent (reapply when the agent's keys were
 * renamed away), then verification inside the guest and a protocol-level probe from outside.
 */
public final class RepairWorkflow {
  private final AzureGateway azure;
  private final GuestChannel guest;
  private final RdpProber prober;
  private final Confirmer confirmer;
  private final Progress progress;
  private final Clock clock;
  private final Sleeper sleeper;
  private final RunRecorder run;

  /** What the user asked for. Durations bound every wait. */
  public record Request(
      String vm,
      String resourceGroup,
      boolean dryRun,
      Set<String> steps,
      boolean allowMachineKeysRename,
      boolean allowDisableNla,
      boolean start,
      boolean viaPrivateIp,
      Integer rdpPort,
      Duration probeTimeout,
      Duration probeWait,
      Duration vmTimeout,
      Duration scriptTimeout,
      Duration pollInterval) {}

  public RepairWorkflow(AzureGateway azure, GuestChannel guest, RdpProber prober, Confirmer confirmer,
      Progress progress, Clock clock, Sleeper sleeper, RepairReport.Actor actor) {
    this.azure = azure;
    this.guest = guest;
    this.prober = prober;
    this.confirmer = confirmer;
    this.progress = progress;
    this.clock = clock;
    this.sleeper = sleeper;
    this.run = new RunRecorder(newRunId(clock), clock, progress, actor);
  }

  /** The report so far: what Ctrl-C leaves behind. */
  public RepairReport currentReport() {
    return run.report(ExitCode.INTERRUPTED, "interrupted: the operations above were done; nothing after them.");
  }

  public String runId() {
    return run.runId;
  }

  public RepairReport repair(Request request) {
    run.mode = request.dryRun() ? "dry-run" : "repair";
    VmSnapshot vm = prepare(request);
    VmRef ref = vm.ref();

    progress.step("Diagnosing inside the guest through Run Command (read-only)...");
    GuestRun diag = run.ops.record("run-command", "diagnose (read-only)", () -> guest.diagnose(ref),
        GuestRun::sha256);
    run.guestRuns.add(diag);
    if (diag.failed() || diag.facts() == null) {
      throw new AzrdpfixException(ExitCode.AZURE, "diagnosing " + ref.display() + " failed: " + diag.error()
          + ". Rerun with --verbose; check the Run Command log on the VM.");
    }
    RepairOptions options = new RepairOptions(request.allowMachineKeysRename(), request.allowDisableNla(),
        request.steps());
    GuestDiagnosis dx = GuestAnalyzer.analyze(diag.facts(), diag.started(), diag.ended(), options, guest.steps());
    run.findingsBefore.addAll(NetworkFindings.evaluate(vm, rdpPort(request, diag.facts()), null, new ArrayList<>()));
    run.findingsBefore.addAll(dx.findings());
    run.plan.addAll(dx.plan());
    run.blocked.addAll(dx.blockedSteps());

    if (!dx.blockedSteps().isEmpty()) {
      return run.finish(ExitCode.PRECONDITION, "refused: " + String.join("; ", dx.blockedSteps()));
    }
    if (dx.plan().isEmpty()) {
      return nothingToRepair(vm, request, diag.facts());
    }
    GuestChannel.Preview preview = guest.previewApply(run.runId, dx.plan());
    run.scripts.add(preview);
    if (request.dryRun()) {
      return run.finish(ExitCode.OK, "dry run: " + dx.plan().size() + " step(s) planned, nothing changed");
    }
    String question = "Apply " + dx.plan().size() + " repair step(s) to " + ref.display() + " ("
        + String.join(", ", dx.planIds()) + ") and restart it through Azure?";
    if (!confirmer.confirm(question)) {
      return run.finish(ExitCode.NOT_CONFIRMED, "not confirmed: nothing was changed");
    }

    progress.step("Applying " + dx.plan().size() + " step(s) in one Run Command (backups first, run " + run.runId
        + ")...");
    GuestRun applied = run.ops.record("run-command", "repair bundle: " + String.join(", ", dx.planIds()),
        () -> guest.apply(ref, run.runId, dx.plan()), GuestRun::sha256);
    run.guestRuns.add(applied);
    if (applied.failed()) {
      return run.finish(ExitCode.REPAIR_FAILED, "a repair step failed: " + applied.error() + ". Changes made before"
          + " it are listed; undo them with 'azrdpfix rollback " + ref.display() + " --run " + run.runId + "'");
    }

    progress.step("Restarting " + ref.display() + " through Azure...");
    run.ops.record("restart", "apply the repair (one restart)", () -> azure.restart(ref, request.vmTimeout()));
    boolean reapplied = false;
    // After a MachineKeys rename the agent cannot come back before a reapply: wait only for the VM to run.
    boolean agentReady = waitForVm(ref, request, "after the restart", !dx.requiresReapply());
    if (dx.requiresReapply() || !agentReady) {
      progress.step("Reapplying the VM model so the guest agent re-creates its transport certificate...");
      run.ops.record("reapply", dx.requiresReapply() ? "MachineKeys was renamed: the agent needs new keys"
          : "the agent did not come back Ready", () -> azure.reapply(ref, request.vmTimeout()));
      reapplied = true;
      agentReady = waitForVm(ref, request, "after the reapply", true);
    }
    return verify(vm, request, agentReady, reapplied);
  }

  private VmSnapshot prepare(Request request) {
    VmRef parsed = VmRef.parse(request.vm(), request.resourceGroup());
    InspectWorkflow.Resolution res = InspectWorkflow.resolve(parsed, azure, progress);
    if (res.report() != null) {
      Finding f = res.report().findings().get(0);
      throw new AzrdpfixException(res.report().exitCode(), f.summary().replaceAll("\\.$", "") + ": " + f.evidence()
          + ". " + f.nextStep());
    }
    run.target = res.vm().display();
    progress.step("Reading " + res.vm().display() + " from Azure...");
    VmSnapshot vm = run.ops.record("inspect", "read VM, instance view and network", () -> azure.inspect(res.vm()),
        v -> null);
    run.vm = vm;
    if (!vm.isWindows()) {
      throw AzrdpfixException.precondition(vm.name() + " runs " + vm.osType() + ", not Windows: there is no RDP to"
          + " repair. Use SSH tooling for Linux VMs.");
    }
    if (!vm.isRunning()) {
      if (!request.start()) {
        throw AzrdpfixException.precondition(vm.name() + " is " + vm.powerState() + ": Run Command needs a running"
            + " VM. Rerun with --start to start it first (it will be billed while running).");
      }
      if (request.dryRun()) {
        throw AzrdpfixException.precondition(vm.name() + " is " + vm.powerState() + ": a dry run cannot diagnose a"
            + " stopped VM and never starts one. Start it, or rerun without --dry-run and with --start.");
      }
      if (!confirmer.confirm("Start " + vm.name() + " (it is " + vm.powerState() + ")?")) {
        throw new AzrdpfixException(ExitCode.NOT_CONFIRMED, "not confirmed: " + vm.name() + " was not started.");
      }
      progress.step("Starting " + vm.name() + " through Azure...");
      run.ops.record("start", "the VM was " + vm.powerState(), () -> azure.start(vm.ref(), request.vmTimeout()));
      if (!waitForVm(vm.ref(), request, "after the start", true)) {
        throw AzrdpfixException.precondition(vm.name() + " started but its guest agent did not become Ready within "
            + request.vmTimeout().toSeconds() + " s. Check boot diagnostics; repair offline with 'az vm repair'.");
      }
      return run.ops.record("inspect", "re-read after the start", () -> azure.inspect(vm.ref()), v -> null);
    }
    if (!vm.agent().ready()) {
      throw AzrdpfixException.precondition("the guest agent of " + vm.name() + " is '" + vm.agent().displayStatus()
          + "', so Run Command cannot reach the guest. Restart or reapply the VM ('az vm restart', 'az vm reapply'), or repair offline with"
          + " 'az vm repair create' or the Serial Console.");
    }
    return vm;
  }

  /**
   * Polls power state (and, if {@code needAgent}, the agent) until running (and Ready), or the deadline. Returns
   * whether the agent is Ready.
   */
  private boolean waitForVm(VmRef ref, Request request, String when, boolean needAgent) {
    Instant deadline = clock.instant().plus(request.vmTimeout());
    Instant start = clock.instant();
    return run.ops.record("wait", (needAgent ? "VM running and agent Ready " : "VM running ") + when, () -> {
      String last = "";
      while (true) {
        VmState s = azure.state(ref);
        String now = "PowerState/" + s.powerState() + ", agent " + s.agentStatus();
        if (!now.equals(last)) {
          progress.step("  " + ref.name() + ": " + now + " (" + Duration.between(start, clock.instant()).toSeconds()
              + " s)");
          last = now;
        }
        if (s.running() && (s.agentReady() || !needAgent)) {
          return s.agentReady();
        }
        if (!clock.instant().isBefore(deadline)) {
          if (!s.running()) {
            throw AzrdpfixException.precondition(ref.name() + " is still " + s.powerState() + " "
                + request.vmTimeout().toSeconds() + " s " + when + ". Check boot diagnostics in the portal.");
          }
          return false;
        }
        sleeper.sleep(request.pollInterval());
      }
    }, v -> null);
  }

  private RepairReport verify(VmSnapshot vm, Request request, boolean agentReady, boolean reapplied) {
    VmRef ref = vm.ref();
    List<Finding> after = new ArrayList<>();
    GuestFacts facts = null;
    String note = reapplied ? "the VM model was reapplied" : null;
    if (agentReady) {
      progress.step("Verifying inside the guest (read-only)...");
      GuestRun check = run.ops.record("run-command", "verify (read-only diagnose)", () -> guest.diagnose(ref),
          GuestRun::sha256);
      run.guestRuns.add(check);
      if (!check.failed() && check.facts() != null) {
        facts = check.facts();
        after.addAll(GuestAnalyzer.analyze(facts, check.started(), check.ended(), RepairOptions.defaults(), guest.steps())
            .findings());
      } else {
        note = "the verify script failed: " + check.error();
      }
    } else {
      note = "the guest agent did not come back Ready; verified from outside only";
    }
    ProbeOutcome probe = probe(vm, request, facts, request.probeWait());
    boolean guestClean = after.stream().noneMatch(Finding::blocksRdp) && facts != null;
    boolean ok = probe.result != null ? probe.result.ok() && (guestClean || facts == null) : guestClean;
    run.verification = new RepairReport.Verification(after, probe.result, probe.address,
        join(note, probe.note));
    if (ok) {
      return run.finish(ExitCode.OK, "repaired: RDP answers" + (probe.result == null ? " (guest verified; " + probe.note
          + ")" : " (" + probe.result.summary() + ")"));
    }
    String why = probe.result != null && !probe.result.ok() ? probe.result.summary()
        : "the guest still has findings that block RDP";
    return run.finish(ExitCode.RDP_BLOCKED, "still failing after repair: " + why + ". Undo with 'azrdpfix rollback "
        + ref.display() + " --run " + run.runId + "' if the changes made it worse");
  }

  private RepairReport nothingToRepair(VmSnapshot vm, Request request, GuestFacts facts) {
    progress.step("Nothing to repair inside the guest; checking RDP from outside...");
    // Nothing was restarted, so there is no boot window to wait through: one attempt tells.
    ProbeOutcome probe = probe(vm, request, facts, Duration.ZERO);
    run.verification = new RepairReport.Verification(List.of(), probe.result, probe.address, probe.note);
    boolean azureBlocks = run.findingsBefore.stream().anyMatch(Finding::blocksRdp);
    if (probe.result != null && probe.result.ok()) {
      return run.finish(ExitCode.OK, "nothing to repair: RDP answers (" + probe.result.summary() + ")");
    }
    if (azureBlocks) {
      Finding f = run.findingsBefore.stream().filter(Finding::blocksRdp).findFirst().orElseThrow();
      return run.finish(ExitCode.RDP_BLOCKED, "refused: the guest is healthy but " + lower(f.summary())
          + " azrdpfix does not change NSGs: " + f.nextStep());
    }
    if (probe.result == null) {
      return run.finish(ExitCode.OK, "nothing to repair: the guest is healthy (" + probe.note + ")");
    }
    return run.finish(ExitCode.RDP_BLOCKED, "the guest diagnosis found nothing to repair, but the probe fails: "
        + probe.result.summary() + ". Check the network path (NSG, firewall appliances, routes)");
  }

  private record ProbeOutcome(ProbeResult result, String address, String note) {}

  private ProbeOutcome probe(VmSnapshot vm, Request request, GuestFacts facts, Duration wait) {
    VmSnapshot.NicInfo nic = vm.primaryNic();
    String ip = null;
    if (nic != null) {
      if (request.viaPrivateIp()) {
        ip = nic.privateIps().isEmpty() ? null : nic.privateIps().get(0);
      } else if (nic.publicIp() != null) {
        ip = nic.publicIp().ipAddress();
      }
    }
    if (ip == null) {
      return new ProbeOutcome(null, null, "not probed: the VM has no public IP; rerun from inside the VNet with"
          + " --via-private-ip");
    }
    int port = rdpPort(request, facts);
    String expected = expectedThumbprint(facts);
    String target = ip + ":" + port;
    progress.step("Probing RDP at " + target + " (X.224, TLS, certificate, CredSSP)...");
    ProbeRequest pr = new ProbeRequest(ip, port, request.probeTimeout(), wait, expected);
    ProbeResult result = run.ops.record("probe", "RDP handshake from outside to " + target, () -> prober.probe(pr),
        r -> null);
    return new ProbeOutcome(result, target, null);
  }

  /** The thumbprint the guest says the listener serves: the valid certificate in the Remote Desktop store. */
  static String expectedThumbprint(GuestFacts facts) {
    if (facts == null || facts.certs() == null) {
      return null;
    }
    if (facts.binding() != null && facts.binding().tp() != null && Boolean.TRUE.equals(facts.binding().found())) {
      return facts.binding().tp();
    }
    List<GuestFacts.Cert> valid = facts.certs().stream().filter(GuestFacts.Cert::inRemoteDesktopStore)
        .filter(c -> c.notAfter() != null && GuestFacts.parseTime(c.notAfter()).isAfter(Instant.now()))
        .toList();
    return valid.size() == 1 ? valid.get(0).tp() : null;
  }

  private static int rdpPort(Request request, GuestFacts facts) {
    if (request.rdpPort() != null) {
      return request.rdpPort();
    }
    if (facts != null && facts.registry() != null && facts.registry().portNumber() != null) {
      return facts.registry().portNumber();
    }
    return 3389;
  }

  private static String join(String a, String b) {
    if (a == null) {
      return b;
    }
    return b == null ? a : a + "; " + b;
  }

  private static String lower(String s) {
    return s.isEmpty() ? s : Character.toLowerCase(s.charAt(0)) + s.substring(1);
  }

  private static final SecureRandom RANDOM = new SecureRandom();

  /** {@code yyyyMMddTHHmmssZ-xxxxxx}: sortable by time, unique per run, safe as a folder name and parameter. */
  public static String newRunId(Clock clock) {
    String ts = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC).format(clock.instant());
    String alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
    StringBuilder b = new StringBuilder(ts).append('-');
    for (int i = 0; i < 6; i++) {
      b.append(alphabet.charAt(RANDOM.nextInt(alphabet.length())));
    }
    return b.toString();
  }

  /** Mutable state of one run, turned into a {@link RepairReport} at the end or on interruption. */
  static final class RunRecorder {
    final String runId;
    final Clock clock;
    final Instant started;
    final OperationLog ops;
    final RepairReport.Actor actor;
    String mode = "repair";
    String target;
    VmSnapshot vm;
    final List<Finding> findingsBefore = new ArrayList<>();
    final List<PlannedStep> plan = new ArrayList<>();
    final List<String> blocked = new ArrayList<>();
    final List<GuestChannel.Preview> scripts = new ArrayList<>();
    final List<GuestRun> guestRuns = new ArrayList<>();
    RepairReport.Verification verification;

    RunRecorder(String runId, Clock clock, Progress progress, RepairReport.Actor actor) {
      this.runId = runId;
      this.clock = clock;
      this.started = clock.instant();
      this.ops = new OperationLog(clock, progress);
      this.actor = actor;
    }

    synchronized RepairReport report(ExitCode code, String outcome) {
      List<GuestRun.Change> changes = new ArrayList<>();
      java.util.LinkedHashSet<String> backups = new java.util.LinkedHashSet<>();
      for (GuestRun g : guestRuns) {
        changes.addAll(g.allChanges());
        backups.addAll(g.allBackups());
      }
      List<Finding> before = new ArrayList<>(findingsBefore);
      before.sort((a, b) -> a.severity().compareTo(b.severity()));
      return new RepairReport(runId, mode, started, clock.instant(), actor, target, vm, before, List.copyOf(plan),
          List.copyOf(blocked), List.copyOf(scripts), List.copyOf(guestRuns), ops.snapshot(), changes,
          List.copyOf(backups), verification, outcome, code);
    }

    RepairReport finish(ExitCode code, String outcome) {
      return report(code, outcome);
    }
  }

  /** Used by rollback: the same recorder and checks, a different guest call. */
  public RepairReport rollback(String vmText, String resourceGroup, String runId, boolean dryRun, Request limits) {
    run.mode = dryRun ? "rollback-dry-run" : "rollback";
    VmSnapshot vm = prepare(limits);
    VmRef ref = vm.ref();
    GuestChannel.Preview preview = guest.previewRollback(runId);
    run.scripts.add(preview);
    if (dryRun) {
      return run.finish(ExitCode.OK, "dry run: would roll back run " + runId + ", nothing changed");
    }
    if (!confirmer.confirm("Roll back run " + runId + " on " + ref.display() + " and restart it through Azure?")) {
      return run.finish(ExitCode.NOT_CONFIRMED, "not confirmed: nothing was changed");
    }
    progress.step("Rolling back run " + runId + " in one Run Command...");
    GuestRun rb = run.ops.record("run-command", "rollback of run " + runId, () -> guest.rollback(ref, runId),
        GuestRun::sha256);
    run.guestRuns.add(rb);
    if (rb.failed()) {
      return run.finish(ExitCode.REPAIR_FAILED, "rollback failed: " + rb.error() + ". What was restored is listed");
    }
    if (!rb.changedSomething()) {
      return run.finish(ExitCode.OK, "nothing to roll back for run " + runId + " (already restored)");
    }
    progress.step("Restarting " + ref.display() + " through Azure...");
    run.ops.record("restart", "apply the rollback (one restart)", () -> azure.restart(ref, limits.vmTimeout()));
    boolean ready = waitForVm(ref, limits, "after the restart", true);
    if (!ready) {
      run.ops.record("reapply", "the agent did not come back Ready", () -> azure.reapply(ref, limits.vmTimeout()));
      waitForVm(ref, limits, "after the reapply", true);
    }
    return run.finish(ExitCode.OK, "rolled back run " + runId + ": the VM is back in its before-state");
  }
}
