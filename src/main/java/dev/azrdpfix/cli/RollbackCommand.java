package dev.azrdpfix.cli;

import dev.azrdpfix.core.model.RunId;
import dev.azrdpfix.core.model.VmRef;
import dev.azrdpfix.core.port.ReportStore;
import dev.azrdpfix.core.repair.RepairReport;
import dev.azrdpfix.core.repair.RollbackRequest;
import dev.azrdpfix.core.repair.RollbackWorkflow;
import dev.azrdpfix.core.repair.RunJournal;
import dev.azrdpfix.core.repair.RunMode;
import java.util.Optional;
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
    Optional<RunId> run = runId == null ? Optional.empty() : Optional.of(RunId.parse("--run", runId));
    RollbackRequest request = new RollbackRequest(parsed, run, change.waits(), change.dryRun);
    var err = spec.commandLine().getErr();
    ConsoleProgress progress = new ConsoleProgress(err, output.verbose);
    try (AzureSession session = AzureSession.open(azure, env, progress, request.vm())) {
      Wiring wiring = new Wiring(session, env, progress);
      RollbackWorkflow workflow = wiring.rollback(Wiring.confirmer(change.yes, env, err));
      ReportStore store = wiring.reports();
      RunJournal journal = wiring.journal(RunMode.rollback(change.dryRun), azure.auth);
      journal.commandOptions(RunSupport.commandOptions(azure));
      RepairReport result = RunSupport.interruptible(journal, store, change.report, err,
          () -> workflow.rollback(request, journal));
      RunSupport.save(result, store, change.report, err);
      RunSupport.print(result, output, env, change.dryRun, spec.commandLine().getOut());
      return result.exitCode().code();
    }
  }
}
