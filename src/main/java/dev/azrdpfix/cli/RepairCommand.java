package dev.azrdpfix.cli;

import dev.azrdpfix.core.AzrdpfixException;
import dev.azrdpfix.core.ExitCode;
import dev.azrdpfix.core.repair.RepairReport;
import dev.azrdpfix.core.repair.RepairWorkflow;
import dev.azrdpfix.template.TemplateCatalog;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code repair VM}: diagnose, fix with the documented steps, restart through Azure, and prove RDP answers. */
@Command(name = "repair", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Diagnose (read-only), apply the documented fixes in one Run Command with backups first, restart",
        "through Azure, then prove RDP answers with a protocol-level probe. Changes need --yes or a confirmation."})
public final class RepairCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin AzureOptions azure;
  @Mixin OutputOptions output;
  @Mixin ChangeOptions change;
  private final Environment env;

  @Parameters(paramLabel = "VM", description = "NAME, RG/NAME or a full resource ID.")
  String vm;

  @Option(names = "--steps", paramLabel = "IDS", split = ",",
      description = "Run only these steps (ids from 'azrdpfix templates list'), in the documented order.")
  List<String> steps;

  @Option(names = "--allow-machinekeys-rename",
      description = "Allow the escalation for a corrupt key store: rename MachineKeys to a backup and start fresh.")
  boolean allowRename;

  @Option(names = "--allow-disable-nla",
      description = "Allow the 'disable-nla' step (weakens security; only with --steps disable-nla).")
  boolean allowDisableNla;

  @Option(names = "--start", description = "Start the VM first if it is stopped or deallocated.")
  boolean start;

  @Option(names = "--via-private-ip", description = "Probe the private IP (run from inside the VNet).")
  boolean viaPrivateIp;

  @Option(names = "--rdp-port", paramLabel = "PORT", description = "RDP port to probe (default: the guest's).")
  Integer rdpPort;

  @Option(names = "--probe-timeout", paramLabel = "DURATION", defaultValue = "5s",
      converter = DurationConverter.class, description = "Per-stage probe timeout (default: ${DEFAULT-VALUE}).")
  Duration probeTimeout;

  @Option(names = "--probe-wait", paramLabel = "DURATION", defaultValue = "3m", converter = DurationConverter.class,
      description = "Keep probing after the restart until RDP answers or this passes (default: ${DEFAULT-VALUE}).")
  Duration probeWait;

  public RepairCommand(Environment env) {
    this.env = env;
  }

  @Override
  public Integer call() {
    azure.validate(vm);
    if (rdpPort != null && (rdpPort < 1 || rdpPort > 65535)) {
      throw AzrdpfixException.usage("--rdp-port " + rdpPort + " is not a TCP port: use 1-65535.");
    }
    Set<String> only = steps == null ? Set.of() : new LinkedHashSet<>(steps);
    if (only.contains("disable-nla") && !allowDisableNla) {
      throw AzrdpfixException.usage("--steps disable-nla turns off Network Level Authentication (a security"
          + " downgrade): add --allow-disable-nla to confirm you want it.");
    }
    if (only.contains("rename-machinekeys") && !allowRename) {
      throw AzrdpfixException.usage("--steps rename-machinekeys is destructive: add --allow-machinekeys-rename.");
    }
    for (String id : only) {
      TemplateCatalog.load().get(id); // unknown step ids fail here, before any login
    }
    var err = spec.commandLine().getErr();
    ConsoleProgress progress = new ConsoleProgress(err, output.verbose);
    try (AzureSession session = AzureSession.open(azure, env, progress, vm)) {
      RepairWorkflow workflow = RunSupport.workflow(session, env, azure, change.yes, err, progress);
      AtomicBoolean done = new AtomicBoolean();
      Thread onInterrupt = new Thread(() -> {
        if (!done.get()) {
          RepairReport partial = workflow.currentReport();
          Path saved = RunSupport.save(partial, env, change.report);
          err.println("azrdpfix: interrupted during run " + partial.runId() + ": report of what was done saved to "
              + saved + ".");
          err.flush();
        }
      });
      Runtime.getRuntime().addShutdownHook(onInterrupt);
      RepairReport result;
      try {
        result = workflow.repair(new RepairWorkflow.Request(vm, azure.resourceGroup, change.dryRun, only,
            allowRename, allowDisableNla, start, viaPrivateIp, rdpPort, probeTimeout, probeWait, change.vmTimeout,
            Duration.ofMinutes(30), RunSupport.pollInterval(session)));
      } finally {
        done.set(true);
        try {
          Runtime.getRuntime().removeShutdownHook(onInterrupt);
        } catch (IllegalStateException e) {
          // the JVM is already shutting down (Ctrl-C): the hook writes the report
        }
      }
      Path saved = RunSupport.save(result, env, change.report);
      var out = spec.commandLine().getOut();
      GithubActions.of(out).repair(result, saved, err);
      RunSupport.print(result, output, env, change.dryRun, out);
      progress.detail("report saved to " + saved);
      if (result.exitCode() != ExitCode.OK && !output.json()) {
        err.println("azrdpfix: " + result.outcome() + ".");
      }
      return result.exitCode().code();
    }
  }
}
