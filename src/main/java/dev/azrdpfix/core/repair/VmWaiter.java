package dev.azrdpfix.core.repair;

import dev.azrdpfix.core.AzrdpfixException;
import dev.azrdpfix.core.model.VmRef;
import dev.azrdpfix.core.port.AzureGateway;
import dev.azrdpfix.core.port.AzureGateway.VmState;
import dev.azrdpfix.core.port.Progress;
import dev.azrdpfix.core.port.Sleeper;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * Waits for a VM after a start, restart or reapply: polls power state and agent status through Azure until the VM
 * runs (and, when asked, its agent is Ready) or the deadline passes, recording the wait in the run journal. Every
 * wait goes through the injected clock and sleeper.
 */
public final class VmWaiter {
  private final AzureGateway azure;
  private final Progress progress;
  private final Clock clock;
  private final Sleeper sleeper;
  private final Duration pollInterval;

  /** {@code pollInterval}: how often to ask Azure (5 s on Azure; the wiring chooses less for the simulator). */
  public VmWaiter(AzureGateway azure, Progress progress, Clock clock, Sleeper sleeper, Duration pollInterval) {
    this.azure = azure;
    this.progress = progress;
    this.clock = clock;
    this.sleeper = sleeper;
    this.pollInterval = pollInterval;
  }

  /**
   * Polls until running (and, if {@code needAgent}, agent Ready), or {@code timeout}. Returns whether the agent is
   * Ready.
   *
   * @throws AzrdpfixException PRECONDITION when the VM is still not running at the deadline
   */
  public boolean await(RunJournal journal, VmRef ref, Duration timeout, String when, boolean needAgent) {
    Instant start = clock.instant();
    Instant deadline = start.plus(timeout);
    return journal.record(OperationKind.WAIT, (needAgent ? "VM running and agent Ready " : "VM running ") + when,
        () -> {
          String last = "";
          while (true) {
            VmState s = azure.state(ref);
            String now = "PowerState/" + s.powerState() + ", agent " + s.agentStatus();
            if (!now.equals(last)) {
              progress.step("  " + ref.name() + ": " + now + " ("
                  + Duration.between(start, clock.instant()).toSeconds() + " s)");
              last = now;
            }
            if (s.running() && (s.agentReady() || !needAgent)) {
              return s.agentReady();
            }
            if (!clock.instant().isBefore(deadline)) {
              if (!s.running()) {
                throw AzrdpfixException.precondition(ref.name() + " is still " + s.powerState() + " "
                    + timeout.toSeconds() + " s " + when + ". Check boot diagnostics in the portal.");
              }
              return false;
            }
            sleeper.sleep(pollInterval);
          }
        });
  }

  /** Waits between two attempts of an operation, through the same sleeper as the polls (virtual in tests). */
  public void pause(Duration d) {
    sleeper.sleep(d);
  }
}
