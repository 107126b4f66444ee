package dev.azrdpfix.core.inspect;

import dev.azrdpfix.core.ExitCode;
import dev.azrdpfix.core.guest.GuestFacts;
import dev.azrdpfix.core.model.Finding;
import dev.azrdpfix.core.model.VmSnapshot;
import java.util.List;

/**
 * The result of {@code inspect}: what was asked, what Azure said, the findings (Azure side, then guest side) and the
 * exit code they imply. {@code vm} is null when the VM could not be resolved.
 */
public record InspectReport(
    String target,
    VmSnapshot vm,
    int rdpPort,
    List<NetworkCheck> networkChecks,
    GuestSection guest,
    List<Finding> findings,
    ExitCode exitCode) {

  /** Whether the guest was diagnosed, and if not, why. {@code facts} is the raw diagnosis (template result). */
  public record GuestSection(boolean diagnosed, String skippedBecause, GuestFacts facts) {
    public static GuestSection skipped(String why) {
      return new GuestSection(false, why, null);
    }
  }

  public boolean blocksRdp() {
    return findings.stream().anyMatch(Finding::blocksRdp);
  }
}
