package dev.azrdpfix.cli;

import dev.azrdpfix.core.repair.RepairRequest;
import dev.azrdpfix.core.repair.RestartPolicy;
import dev.azrdpfix.core.repair.RunMode;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code repair VM}: diagnose, fix with the documented steps, restart through Azure only when needed, and prove RDP
 * answers.
 */
@Command(name = "repair", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Diagnose (read-only), apply the documented fixes in one Run Command with backups first, restart",
        "through Azure only when a step needs it (--restart), then prove RDP answers with a protocol-level probe.",
        "Changes need --yes or a confirmation."},
    footer = {"%nExamples:", "  azrdpfix repair rg-prod/web-01 --dry-run        # the plan and the exact scripts",
        "  azrdpfix repair rg-prod/web-01                  # asks on a terminal",
        "  azrdpfix repair rg-prod/web-01 --yes --report r.json"})
public final class RepairCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;
  @Mixin
  AzureOptions azure;
  @Mixin
  OutputOptions output;
  @Mixin
  ChangeOptions change;
  private final Environment env;

  @Parameters(paramLabel = "VM", description = "NAME, RG/NAME or a full resource ID.")
  String vm;

  @Option(names = "--steps", paramLabel = "IDS", split = ",",
      description = "Run only these repair steps (kind repair in 'azrdpfix templates list'), in the documented"
          + " order.")
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
      converter = DurationConverter.class,
      description = "Timeout of each probe stage, from 500ms to 2m (default: ${DEFAULT-VALUE}).")
  Duration probeTimeout;

  @Option(names = "--probe-wait", paramLabel = "DURATION", defaultValue = "3m", converter = DurationConverter.class,
      description = "Keep probing after the restart until RDP answers or this passes, from 10s to 1h (default:"
          + " ${DEFAULT-VALUE}).")
  Duration probeWait;

  @Option(names = "--restart", paramLabel = "auto|always|never", defaultValue = "auto",
      description = "Restart the VM through Azure: auto (default) only when a chosen step needs a reboot, or once"
          + " when RDP still fails afterwards; always after every repair; never (a step that needs a reboot then"
          + " takes effect at the next restart).")
  String restart;

  public RepairCommand(Environment env) {
    this.env = env;
  }

  @Override
  public Integer call() {
    Validation.duration("--probe-timeout", probeTimeout, Duration.ofMillis(500), Duration.ofMinutes(2));
    Validation.duration("--probe-wait", probeWait, Duration.ofSeconds(10), Duration.ofHours(1));
    RepairRequest request = new RepairRequest(azure.validate(vm), RepairRequest.StepSelection.parse(steps),
        new RepairRequest.Consents(allowRename, allowDisableNla, start),
        new RepairRequest.ProbeSettings(viaPrivateIp, rdpPort, probeTimeout, probeWait),
        change.waits(), change.dryRun, RestartPolicy.parse(restart));
    change.checkBeforeChange(env, spec);
    var err = spec.commandLine().getErr();
    ConsoleProgress progress = new ConsoleProgress(err, output.verbose, env);
    try (AzureSession session = AzureSession.open(azure, env, progress, request.vm())) {
      Wiring wiring = new Wiring(session, env, progress);
      return RunSupport.runAndReport(spec, env, azure, output, change, wiring, progress, RunMode.repair(change.dryRun),
          (confirmer, journal) -> wiring.repair(confirmer).repair(request, journal));
    } finally {
      progress.close();
    }
  }
}
