package dev.azrdpfix.cli;

import dev.azrdpfix.core.repair.VmWaits;
import java.nio.file.Path;
import java.time.Duration;
import picocli.CommandLine.Model.CommandSpec;
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
      description = "Longest wait for the VM and its agent after a restart, from 1m to 2h (default:"
          + " ${DEFAULT-VALUE}).")
  Duration vmTimeout;

  static final Duration VM_TIMEOUT_MIN = Duration.ofMinutes(1);
  static final Duration VM_TIMEOUT_MAX = Duration.ofHours(2);

  /**
   * Everything about a change that can be checked locally, before the first Azure call: the wait bounds, that the
   * report and the reports folder can be written, and that someone (or --yes) can confirm.
   */
  void checkBeforeChange(Environment env, CommandSpec spec) {
    Validation.duration("--vm-timeout", vmTimeout, VM_TIMEOUT_MIN, VM_TIMEOUT_MAX);
    LoopbackRdp.parse(env.get(LoopbackRdp.VARIABLE));
    Validation.writableReport(report);
    Validation.writableFolder(env.cacheDir().resolve("reports"));
    Validation.confirmationPossible(env, yes, dryRun, previewCommand(spec));
  }

  /** The command the user typed, plus --dry-run: what to run to see the plan without changing anything. */
  static String previewCommand(CommandSpec spec) {
    StringBuilder b = new StringBuilder("azrdpfix");
    for (String a : spec.commandLine().getParseResult().originalArgs()) {
      b.append(' ').append(a.matches("[A-Za-z0-9_./:@=+,-]+") ? a : "\"" + a.replace("\"", "\\\"") + "\"");
    }
    return b.append(" --dry-run").toString();
  }

  /** How long the run waits for the VM. */
  VmWaits waits() {
    return new VmWaits(vmTimeout);
  }
}
