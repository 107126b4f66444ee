package dev.azrdpfix.core.repair;

import dev.azrdpfix.core.guest.GuestFacts;
import dev.azrdpfix.core.guest.GuestRun;
import dev.azrdpfix.core.guest.RepairOptions;
import dev.azrdpfix.core.inspect.GuestDiagnostics;
import dev.azrdpfix.core.model.Finding;
import dev.azrdpfix.core.model.VmRef;
import dev.azrdpfix.core.model.VmSnapshot;
import dev.azrdpfix.core.port.Progress;
import dev.azrdpfix.core.probe.ProbeRequest;
import dev.azrdpfix.core.probe.ProbeResult;
import dev.azrdpfix.core.probe.RdpProber;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

/**
 * The read-only checks that repair and rollback make, each recorded in the run's journal: a diagnosis inside the guest
 * through Run Command, and the protocol-level probe from outside.
 */
final class RunChecks {
  /** What the guest says after a change: its facts and findings, or why it could not say (then facts are null). */
  record Inside(GuestFacts facts, List<Finding> findings, String note) {}

  /** The probe's result and the address it probed, or (both null) why nothing was probed. */
  record Outside(ProbeResult result, String address, String note) {}

  private final GuestDiagnostics diagnostics;
  private final RdpProber prober;
  private final Progress progress;
  private final Clock clock;

  RunChecks(GuestDiagnostics diagnostics, RdpProber prober, Progress progress, Clock clock) {
    this.diagnostics = diagnostics;
    this.prober = prober;
    this.progress = progress;
    this.clock = clock;
  }

  /** One read-only diagnose, recorded as a Run Command of the run and kept with its guest runs. */
  GuestDiagnostics.Result diagnose(RunJournal journal, VmRef ref, String purpose, RepairOptions options) {
    return diagnostics.diagnose(ref, options, call -> {
      GuestRun run = journal.record(OperationKind.RUN_COMMAND, purpose, call, GuestRun::sha256);
      journal.addGuestRun(run);
      return run;
    });
  }

  /** The guest's own view after a change, when its agent is back; otherwise why there is none. */
  Inside inside(RunJournal journal, VmRef ref, boolean agentReady) {
    if (!agentReady) {
      return new Inside(null, List.of(), "the guest agent did not come back Ready; verified from outside only");
    }
    progress.step("Verifying inside the guest (read-only)...");
    GuestDiagnostics.Result check = diagnose(journal, ref, "verify (read-only diagnose)", RepairOptions.defaults());
    if (check.failed()) {
      return new Inside(null, List.of(), "the verify script failed: " + check.error());
    }
    return new Inside(check.run().facts(), check.diagnosis().findings(), null);
  }

  /**
   * Probes the VM's public (or, with {@code viaPrivateIp}, private) address on the port the option or the guest gives.
   * {@code pinCertificate} false: the run may have replaced the certificate, so none is expected in particular.
   * {@code noAddress} is the note when the VM has no address to probe.
   */
  Outside probe(RunJournal journal, VmSnapshot vm, RepairRequest.ProbeSettings settings, GuestFacts facts,
      Duration wait, boolean pinCertificate, String noAddress) {
    VmSnapshot.NicInfo nic = vm.primaryNic();
    String ip = null;
    if (nic != null) {
      if (settings.viaPrivateIp()) {
        ip = nic.privateIps().isEmpty() ? null : nic.privateIps().get(0);
      } else if (nic.publicIp() != null) {
        ip = nic.publicIp().ipAddress();
      }
    }
    if (ip == null) {
      return new Outside(null, null, noAddress);
    }
    int port = RepairWorkflow.probePort(settings.rdpPort(), facts);
    String target = ip + ":" + port;
    progress.step("Probing RDP at " + target + " (X.224, TLS, certificate, CredSSP)...");
    ProbeRequest pr = new ProbeRequest(ip, port, settings.stageTimeout(), wait,
        pinCertificate ? RepairWorkflow.expectedThumbprint(facts, clock.instant()) : null);
    ProbeResult result = journal.record(OperationKind.PROBE, "RDP handshake from outside to " + target,
        () -> prober.probe(pr));
    return new Outside(result, target, null);
  }
}
