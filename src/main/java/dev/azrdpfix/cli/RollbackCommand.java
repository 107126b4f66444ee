package dev.azrdpfix.cli;

import dev.azrdpfix.core.AzrdpfixException;
import dev.azrdpfix.core.ExitCode;
import dev.azrdpfix.core.guest.VmRuns;
import dev.azrdpfix.core.model.RunId;
import dev.azrdpfix.core.model.VmRef;
import dev.azrdpfix.core.repair.RollbackRequest;
import dev.azrdpfix.core.repair.RollbackWorkflow;
import dev.azrdpfix.core.repair.RunJournal;
import dev.azrdpfix.core.repair.RunMode;
import dev.azrdpfix.report.Inert;
import dev.azrdpfix.report.Json;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code rollback VM}: restores what the latest repair run on the VM (or --run ID) changed, from the backups and the
 * journal on the VM; {@code --list} shows the runs the VM has.
 */
@Command(name = "rollback", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Restore what the latest repair run on a VM (or --run ID) changed, from its backups on the VM."
        + " The VM decides: 'rollback VM --list' shows its runs.",
    footer = {"%nExamples:", "  azrdpfix rollback rg-prod/web-01 --list",
        "  azrdpfix rollback rg-prod/web-01 --dry-run",
        "  azrdpfix rollback rg-prod/web-01 --run 20261201T222956Z-mg72hd --yes"})
public final class RollbackCommand implements Callable<Integer> {
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

  @Option(names = "--run", paramLabel = "ID", description = "The repair run to undo (default: the latest run on the"
      + " VM that changed something and is not rolled back). A run the VM does not have is refused (exit 2) with the"
      + " list of runs it has.")
  String runId;

  @Option(names = "--list", description = "List the runs recorded on the VM (read-only: one Run Command), newest"
      + " first, with state, changes and age; changes nothing.")
  boolean list;

  @Option(names = "--break-lock", description = "Clear the VM's azrdpfix lock when it is older than Run Command's"
      + " 90-minute limit (its run was cut off), after a confirmation; journaled on the VM. With --list: clear it and"
      + " list.")
  boolean breakLock;

  @Option(names = "--force", description = "Replay a run already rolled back, and restore values changed since the"
      + " run (otherwise left alone and reported).")
  boolean force;

  public RollbackCommand(Environment env) {
    this.env = env;
  }

  @Override
  public Integer call() {
    VmRef parsed = azure.validate(vm);
    Optional<RunId> run = runId == null ? Optional.empty() : Optional.of(RunId.parse("--run", runId));
    if (list && (run.isPresent() || force || change.dryRun || change.report != null)) {
      throw AzrdpfixException.usage("--list only reads the VM's runs: leave out --run, --force, --dry-run and"
          + " --report, e.g. 'azrdpfix rollback " + vm + " --list'.");
    }
    RollbackRequest request = new RollbackRequest(parsed, run, change.waits(), change.dryRun, force,
        RollbackRequest.DEFAULT_PROBE, breakLock);
    if (!list) {
      change.checkBeforeChange(env, spec);
    }
    var err = spec.commandLine().getErr();
    ConsoleProgress progress = new ConsoleProgress(err, output.verbose, env);
    try (AzureSession session = AzureSession.open(azure, env, progress, request.vm())) {
      Wiring wiring = new Wiring(session, env, progress);
      if (list) {
        return list(wiring.rollback(Wiring.confirmer(change.yes, env, err)), wiring, request);
      }
      return RunSupport.runAndReport(spec, env, azure, output, change, wiring, progress,
          RunMode.rollback(change.dryRun),
          (confirmer, journal) -> wiring.rollback(confirmer).rollback(request, journal));
    } finally {
      progress.close();
    }
  }

  /** {@code --list}: one line per run on the VM (guest text made inert), or a JSON document with --output json. */
  private int list(RollbackWorkflow workflow, Wiring wiring, RollbackRequest request) {
    RunJournal journal = wiring.journal(RunMode.rollback(true), azure.auth);
    VmRuns runs = workflow.list(request, journal);
    var out = spec.commandLine().getOut();
    String target = journal.finish(ExitCode.OK, "listed").target();
    if (output.json()) {
      List<Map<String, Object>> items = new ArrayList<>();
      for (VmRuns.Run r : runs.runs()) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", r.id().value());
        m.put("state", r.state().text());
        m.put("started", r.started() == null ? null : r.started().toString());
        m.put("ageSeconds", runs.age(r).map(Duration::getSeconds).orElse(null));
        m.put("changes", r.changes());
        m.put("ops", r.ops().stream().map(Inert::text).toList());
        m.put("rolledBackAt", r.rolledBackAt() == null ? null : r.rolledBackAt().toString());
        m.put("unreadableJournalLines", r.badLines());
        items.add(m);
      }
      Map<String, Object> doc = new LinkedHashMap<>();
      doc.put("schema", "azrdpfix/runs/v1");
      doc.put("vm", target);
      doc.put("runs", items);
      doc.put("more", runs.more());
      out.println(Json.write(doc));
      return ExitCode.OK.code();
    }
    out.println("Runs on " + target + " (newest first, as the VM records them):");
    if (runs.runs().isEmpty()) {
      out.println("  none: no run changed anything on this VM");
    }
    for (VmRuns.Run r : runs.runs()) {
      out.println("  " + Inert.text(runs.line(r)));
    }
    if (runs.more() > 0) {
      out.println("  ... and " + runs.more() + " older run(s) that did not fit Run Command's output");
    }
    // Carries the options in use (--simulate, --subscription, ...) like every next-step command.
    runs.latestUndoable().ifPresent(r -> out.println("Undo the latest: '"
        + NextCommands.of(spec).command("rollback", target) + "' (run " + r.id() + ")"));
    return ExitCode.OK.code();
  }
}
