package dev.azrdpfix.cli;

import dev.azrdpfix.core.AzrdpfixException;
import dev.azrdpfix.core.ExitCode;
import dev.azrdpfix.core.port.Confirmer;
import dev.azrdpfix.core.port.ReportStore;
import dev.azrdpfix.core.repair.RepairReport;
import dev.azrdpfix.core.repair.RunJournal;
import dev.azrdpfix.core.repair.RunMode;
import dev.azrdpfix.report.Json;
import dev.azrdpfix.report.RepairOutput;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Supplier;
import picocli.CommandLine.Model.CommandSpec;

/**
 * What repair and rollback share at the edge: Ctrl-C, keeping the report whatever fails, printing it. From the first
 * call that may change the VM, every exit path keeps a report: a normal end, an exception at any later step (the
 * report says what was done and how to undo it), Ctrl-C (the shutdown hook), and a report writer that fails (a
 * temporary file, named on stderr).
 */
final class RunSupport {
  private RunSupport() {}

  /** Where Ctrl-C hooks are installed: the JVM's shutdown hooks. */
  interface ShutdownHooks {
    void add(Thread hook);

    void remove(Thread hook);

    ShutdownHooks RUNTIME = new ShutdownHooks() {
      @Override
      public void add(Thread hook) {
        Runtime.getRuntime().addShutdownHook(hook);
      }

      @Override
      public void remove(Thread hook) {
        try {
          Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
          // the JVM is already shutting down (Ctrl-C): the hook writes the report
        }
      }
    };
  }

  /**
   * Tests running the CLI in-process on this thread may take the hook instead of the JVM (to run it as Ctrl-C
   * would); production never sets it.
   */
  static final ThreadLocal<ShutdownHooks> HOOKS = ThreadLocal.withInitial(() -> ShutdownHooks.RUNTIME);

  /**
   * Runs {@code run} with a shutdown hook that, on Ctrl-C, keeps the journal's report of what was done so far and
   * says where it went and how to undo. The hook reads only the journal, never the workflow. An exception after the
   * run may have changed the VM ends the journal with that error (the report then goes the normal way: saved and
   * printed, with the undo command); before that, it propagates as a one-line error. With {@code jsonOut} (stdout of
   * a run with --output json; else null) Ctrl-C also prints the report so far as the run's JSON document, so every
   * exit, 130 included, leaves one on stdout.
   */
  static RepairReport interruptible(RunJournal journal, ReportStore store, Path requested, PrintWriter err,
      PrintWriter jsonOut, NextCommands next, Supplier<RepairReport> run) {
    Thread onInterrupt = new Thread(() -> onInterrupt(journal, store, requested, err, jsonOut, next),
        "azrdpfix-interrupted");
    ShutdownHooks hooks = HOOKS.get();
    hooks.add(onInterrupt);
    try {
      return run.get();
    } catch (RuntimeException e) {
      if (!journal.mayHaveChanged()) {
        throw e;
      }
      // After a change, every failure is exit 3 (the report has the changes and the undo), except a bug.
      ExitCode code = e instanceof AzrdpfixException ? ExitCode.AZURE : ExitCode.INTERNAL;
      String message = e instanceof AzrdpfixException ? e.getMessage() : "internal error: "
          + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage().lines().findFirst()
              .orElse(""))
          + " (a bug: rerun with --verbose and report it)";
      return journal.failed(code, message);
    } finally {
      hooks.remove(onInterrupt);
    }
  }

  private static void onInterrupt(RunJournal journal, ReportStore store, Path requested, PrintWriter err,
      PrintWriter jsonOut, NextCommands next) {
    if (journal.finished().isPresent()) {
      return;
    }
    ConsoleProgress.closeAll();
    RepairReport partial = journal.interruptedReport();
    Path saved = save(partial, store, requested, err, next);
    if (jsonOut != null) {
      jsonOut.println(next.carryJson(Json.write(RepairOutput.json(partial))));
      jsonOut.flush();
    }
    err.println("azrdpfix: interrupted during run " + partial.runId() + ": report of what was done saved to "
        + saved + "." + (partial.undoCommand() == null ? "" : (partial.changesUnknown()
            ? " A change was sent and its outcome is unknown: find out with " + partial.findOutCommand() + ";"
            : "") + " undo with '" + partial.undoCommand() + "'."));
    err.flush();
  }

  /**
   * Keeps the report in the store (for rollback's "latest run") and, when asked, writes FILE plus FILE.md. Never
   * throws: when the store or FILE cannot be written, the report goes to a temporary file and stderr says where.
   * Returns where the report is (FILE when asked and written).
   */
  static Path save(RepairReport report, ReportStore store, Path requested, PrintWriter err, NextCommands next) {
    Path stored = null;
    String failed = null;
    try {
      stored = store.save(report);
    } catch (RuntimeException e) {
      failed = "cannot keep the report in the reports folder (" + e.getMessage() + ")";
    }
    if (requested != null) {
      try {
        write(report, requested, next);
        stored = requested;
      } catch (IOException | RuntimeException e) {
        failed = (failed == null ? "" : failed + "; ") + "cannot write the report to " + requested + " ("
            + e.getMessage() + ")";
        stored = null;
      }
    }
    if (failed == null) {
      return stored;
    }
    Path fallback = null;
    try {
      fallback = Files.createTempFile("azrdpfix-" + report.runId().value() + "-", ".json");
      write(report, fallback, next);
    } catch (IOException | RuntimeException e) {
      failed += "; no temporary file either (" + e.getMessage() + ")";
    }
    err.println("azrdpfix: " + failed + (fallback != null ? "; the report of run " + report.runId().value()
        + " was saved to " + fallback + " instead." : "."));
    err.flush();
    return fallback != null ? fallback : stored;
  }

  private static void write(RepairReport report, Path file, NextCommands next) throws IOException {
    writeReport(file, next.carryJson(Json.write(RepairOutput.json(report))), next.carry(RepairOutput.markdown(report)));
  }

  /** FILE gets the JSON document and FILE.md (r.json: r.md) its Markdown; missing folders are created. */
  private static void writeReport(Path file, String json, String markdown) throws IOException {
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    Files.writeString(file, json);
    Files.writeString(file.resolveSibling(markdownName(file)), markdown);
  }

  /** One change run: the workflow built with the confirmer and run into the journal. */
  interface ChangeRun {
    RepairReport run(Confirmer confirmer, RunJournal journal);
  }

  /**
   * A repair or rollback at the edge: the journal, a confirmation that shows the run so far, Ctrl-C, the report kept
   * whatever happens, the result printed once (and to GitHub Actions when running there). Returns the exit code.
   */
  static int runAndReport(CommandSpec spec, Environment env, AzureOptions azure, OutputOptions output,
      ChangeOptions change, Wiring wiring, ConsoleProgress progress, RunMode mode, ChangeRun run) {
    PrintWriter err = spec.commandLine().getErr();
    PrintWriter out = spec.commandLine().getOut();
    NextCommands next = NextCommands.of(spec);
    ReportStore store = wiring.reports();
    RunJournal journal = wiring.journal(mode, azure.auth);
    Confirmer confirmer = Wiring.confirmer(change.yes, env, err, () -> {
      progress.endPhase(); // the question starts on a line of its own
      return next.carry(RepairOutput.confirmation(journal.interruptedReport(), Validation.style(env, output),
          change.vmTimeout));
    });
    journal.commandOptions(next.suffix());
    RepairReport result = interruptible(journal, store, change.report, err, output.json() ? out : null, next,
        () -> run.run(confirmer, journal));
    progress.close();
    Path saved = save(result, store, change.report, err, next);
    GithubActions.of(out).repair(result, saved, err, next);
    print(result, output, env, change.dryRun, out, next);
    progress.detail("report saved to " + saved);
    exitLine(result, output, saved, err);
    return result.exitCode().code();
  }

  /** With {@code inspect --report FILE}: the JSON document to FILE and its Markdown beside it; null without. */
  static Path saveInspect(dev.azrdpfix.core.inspect.InspectReport report, Path requested) {
    if (requested == null) {
      return null;
    }
    try {
      writeReport(requested, Json.write(dev.azrdpfix.report.InspectOutput.json(report)),
          dev.azrdpfix.report.InspectOutput.markdown(report));
      return requested;
    } catch (IOException e) {
      throw new AzrdpfixException(ExitCode.INTERNAL, "cannot write the report to " + requested + ": "
          + e.getMessage() + ". Check the path and permissions.");
    }
  }

  /** r.json -> r.md; anything else gets .md appended. */
  static String markdownName(Path report) {
    String name = report.getFileName().toString();
    return name.endsWith(".json") ? name.substring(0, name.length() - 5) + ".md" : name + ".md";
  }

  /** Prints the report to stdout as JSON or text (with the scripts on a dry run). */
  static void print(RepairReport report, OutputOptions output, Environment env, boolean dryRun, PrintWriter out,
      NextCommands next) {
    if (output.json()) {
      out.println(next.carryJson(Json.write(RepairOutput.json(report))));
    } else {
      out.print(next.carry(RepairOutput.text(report, Validation.style(env, output), dryRun)));
    }
    out.flush();
  }

  /**
   * The one stderr line of a run that did not end with exit 0. The outcome itself is printed once, in the result on
   * stdout (text or JSON); this line gives the exit code's meaning and where the report is, so that a script reading
   * only stderr still sees that the run failed.
   */
  static void exitLine(RepairReport report, OutputOptions output, Path saved, PrintWriter err) {
    if (report.exitCode().code() != 0 && !output.json()) {
      err.println("azrdpfix: " + report.mode().id() + " ended with exit " + report.exitCode().code() + " ("
          + report.exitCode().description() + "); report: " + saved + ".");
      err.flush();
    }
  }
}
