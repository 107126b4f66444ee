package dev.azrdpfix.cli;

import dev.azrdpfix.core.repair.VmWaits;
import java.nio.file.Path;
import java.time.Duration;
import picocli.CommandLine.Option;

/** Options of every command that changes a VM: preview, consent, the report, and how long to wait for the VM. */
public final class ChangeOptions {
  @Option(names = "--dry-run", description = "Show the plan and the exact scripts and parameters; change nothing.")
  boolean dryRun;

  @Option(names = {"-y", "--yes"}, description = "Go ahead without asking (for automation).")
  boolean yes;

  @Option(names = "--report", paramLabel = "FILE", description = "Write the JSON report here and Markdown beside it.")
  Path report;

  @Option(names = "--vm-timeout", paramLabel = "DURATION", defaultValue = "15m", converter = DurationConverter.class,
      description = "Longest wait for the VM and its agent after a restart (default: ${DEFAULT-VALUE}).")
  Duration vmTimeout;

  /** How long the run waits for the VM. */
  VmWaits waits() {
    return new VmWaits(vmTimeout);
  }
}
