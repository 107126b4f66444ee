package dev.azrdpfix.cli;

import dev.azrdpfix.core.model.RunId;
import dev.azrdpfix.core.model.VmRef;
import dev.azrdpfix.core.port.ReportStore;
import dev.azrdpfix.core.repair.RepairReport;
import dev.azrdpfix.core.repair.RollbackRequest;
import dev.azrdpfix.core.repair.RollbackWorkflow;
import dev.azrdpfix.core.repair.RunJournal;
import dev.azrdpfix.core.repair.RunMode;
import dev.azrdpfix.report.RepairOutput;
import java.nio.file.Path;
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
    description = "Restore what the latest repair of a VM (or --run ID) changed, from its backups on the VM.",
    footer = {"%nExamples:", "  azrdpfix rollback rg-prod/web-01 --dry-run",
        "  azrdpfix rollback rg-prod/web-01 --run 20261201T222956Z-mg72hd --yes"})
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
    change.checkBeforeChange(env, spec);
    var err = spec.commandLine().getErr();
    ConsoleProgress progress = new ConsoleProgress(err, output.verbose, env);
    try (AzureSession session = AzureSession.open(azure, env, progress, request.vm())) {
      Wiring wiring = new Wiring(session, env, progress);
      NextCommands next = NextCommands.of(spec);
      ReportStore store = wiring.reports();
      RunJournal journal = wiring.journal(RunMode.rollback(change.dryRun), azure.auth);
      RollbackWorkflow workflow = wiring.rollback(Wiring.confirmer(change.yes, env, err, () -> {
        progress.endPhase(); // the question starts on a line of its own
        return next.carry(RepairOutput.confirmation(journal.interruptedReport(), Validation.style(env, output),
            change.vmTimeout));
      }));
      journal.commandOptions(next.suffix());
      RepairReport result = RunSupport.interruptible(journal, store, change.report, err,
          output.json() ? spec.commandLine().getOut() : null, next,
          () -> workflow.rollback(request, journal));
      progress.close();
      Path saved = RunSupport.save(result, store, change.report, err, next);
      var out = spec.commandLine().getOut();
      GithubActions.of(out).repair(result, saved, err, next);
      RunSupport.print(result, output, env, change.dryRun, out, next);
      RunSupport.exitLine(result, output, saved, err);
      return result.exitCode().code();
    } finally {
      progress.close();
    }
  }
}
