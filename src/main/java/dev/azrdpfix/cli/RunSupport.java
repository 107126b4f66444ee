package dev.azrdpfix.cli;

import dev.azrdpfix.core.AzrdpfixException;
import dev.azrdpfix.core.ExitCode;
import dev.azrdpfix.core.port.ReportStore;
import dev.azrdpfix.core.repair.RepairReport;
import dev.azrdpfix.core.repair.RunJournal;
import dev.azrdpfix.report.Json;
import dev.azrdpfix.report.RepairOutput;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Supplier;

/** What repair and rollback share at the edge: Ctrl-C, keeping the report, printing it. */
final class RunSupport {
  private RunSupport() {}

  /**
   * Runs {@code run} with a shutdown hook that, on Ctrl-C, keeps the journal's report of what was done so far and
   * says where it went. The hook reads only the journal, never the workflow. With {@code jsonOut} (stdout of a run
   * with --output json; else null) it also prints that report as the run's JSON document, so every exit, 130
   * included, leaves one on stdout.
   */
  static RepairReport interruptible(RunJournal journal, ReportStore store, Path requested, PrintWriter err,
      PrintWriter jsonOut, NextCommands next, Supplier<RepairReport> run) {
    Thread onInterrupt = new Thread(() -> {
      if (journal.finished().isEmpty()) {
        ConsoleProgress.closeAll();
        RepairReport partial = journal.interruptedReport();
        Path saved = save(partial, store, requested, next);
        if (jsonOut != null) {
          jsonOut.println(next.carryJson(Json.write(RepairOutput.json(partial))));
          jsonOut.flush();
        }
        err.println("azrdpfix: interrupted during run " + partial.runId() + ": report of what was done saved to "
            + saved + ".");
        err.flush();
      }
    });
    Runtime.getRuntime().addShutdownHook(onInterrupt);
    try {
      return run.get();
    } finally {
      try {
        Runtime.getRuntime().removeShutdownHook(onInterrupt);
      } catch (IllegalStateException e) {
        // the JVM is already shutting down (Ctrl-C): the hook writes the report
      }
    }
  }

  /** Keeps the report in the store (for rollback's "latest run") and, when asked, writes FILE plus FILE.md. */
  static Path save(RepairReport report, ReportStore store, Path requested, NextCommands next) {
    Path stored = store.save(report);
    if (requested == null) {
      return stored;
    }
    try {
      Path parent = requested.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      Files.writeString(requested, next.carryJson(Json.write(RepairOutput.json(report))));
      Files.writeString(requested.resolveSibling(markdownName(requested)), next.carry(RepairOutput.markdown(report)));
      return requested;
    } catch (IOException e) {
      throw new AzrdpfixException(ExitCode.INTERNAL, "cannot write the report to " + requested + ": "
          + e.getMessage() + ". Check the path and permissions.");
    }
  }

  /** With {@code inspect --report FILE}: the JSON document to FILE and its Markdown beside it; null without. */
  static Path saveInspect(dev.azrdpfix.core.inspect.InspectReport report, Path requested) {
    if (requested == null) {
      return null;
    }
    try {
      Path parent = requested.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      Files.writeString(requested, Json.write(dev.azrdpfix.report.InspectOutput.json(report)));
      Files.writeString(requested.resolveSibling(markdownName(requested)),
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
