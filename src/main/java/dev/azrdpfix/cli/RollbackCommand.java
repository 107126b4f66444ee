package dev.azrdpfix.cli;

import dev.azrdpfix.core.AzrdpfixException;
import dev.azrdpfix.core.ExitCode;
import dev.azrdpfix.core.model.VmRef;
import dev.azrdpfix.core.repair.RepairReport;
import dev.azrdpfix.core.repair.RepairWorkflow;
import dev.azrdpfix.core.inspect.InspectWorkflow;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code rollback VM}: restores what the latest repair (or --run ID) changed, from the backups on the VM. */
@Command(name = "rollback", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Restore what the latest repair of a VM (or --run ID) changed, from its backups on the VM.")
public final class RollbackCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin AzureOptions azure;
  @Mixin OutputOptions output;
  @Mixin ChangeOptions change;
  private final Environment env;

  @Parameters(paramLabel = "VM", description = "NAME, RG/NAME or a full resource ID.")
  String vm;

  @Option(names = "--run", paramLabel = "ID", description = "The repair run to undo (default: the latest recorded"
      + " here that changed something). Run ids are the folder names under C:\\ProgramData\\azrdpfix\\backup.")
  String runId;

  public RollbackCommand(Environment env) {
    this.env = env;
  }

  @Override
  public Integer call() {
    VmRef parsed = azure.validate(vm);
    if (runId != null && !runId.matches("[0-9]{8}T[0-9]{6}Z-[a-z0-9]{6}")) {
      throw AzrdpfixException.usage("--run '" + runId + "' is not a run id: it looks like 20261123T050000Z-k3x9q2"
          + " (see the repair report or the folders under C:\\ProgramData\\azrdpfix\\backup on the VM).");
    }
    var err = spec.commandLine().getErr();
    ConsoleProgress progress = new ConsoleProgress(err, output.verbose);
    try (AzureSession session = AzureSession.open(azure, env, progress, vm)) {
      String id = runId;
      if (id == null) {
        var res = InspectWorkflow.resolve(parsed, session.gateway, progress);
        if (res.report() != null) {
          throw new AzrdpfixException(res.report().exitCode(), res.report().findings().get(0).summary() + " "
              + res.report().findings().get(0).nextStep());
        }
        id = RunSupport.latestRepair(env, session.gateway.subscriptionId(), res.vm().display()).orElseThrow(() ->
            new AzrdpfixException(ExitCode.USAGE, "no recorded repair of " + vm + " that changed something on this"
                + " machine: pass --run ID (the run ids are the folders under C:\\ProgramData\\azrdpfix\\backup on"
                + " the VM)."));
        progress.step("Rolling back the latest recorded repair of " + res.vm().display() + ": run " + id);
      }
      RepairWorkflow workflow = RunSupport.workflow(session, env, azure, change.yes, err, progress);
      RepairWorkflow.Request limits = new RepairWorkflow.Request(vm, azure.resourceGroup, change.dryRun, Set.of(),
          false, false, false, false, null, Duration.ofSeconds(5), Duration.ZERO, change.vmTimeout,
          Duration.ofMinutes(30), RunSupport.pollInterval(session));
      RepairReport result = workflow.rollback(vm, azure.resourceGroup, id, change.dryRun, limits);
      Path saved = RunSupport.save(result, env, change.report);
      var out = spec.commandLine().getOut();
      GithubActions.of(out).repair(result, saved, err);
      RunSupport.print(result, output, env, change.dryRun, out);
      return result.exitCode().code();
    }
  }
}
