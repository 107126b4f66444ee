package dev.azrdpfix.report;

import dev.azrdpfix.core.guest.GuestRun;
import dev.azrdpfix.core.guest.PlannedStep;
import dev.azrdpfix.core.model.Finding;
import dev.azrdpfix.core.port.GuestChannel;
import dev.azrdpfix.core.repair.Operation;
import dev.azrdpfix.core.repair.OperationKind;
import dev.azrdpfix.core.repair.RepairReport;
import dev.azrdpfix.core.repair.RunMode;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Map;

/** Renders a {@link RepairReport} as text (people), JSON (automation, --report) and Markdown (tickets). */
public final class RepairOutput {
  public static final String SCHEMA = "azrdpfix/repair/v1";
  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneOffset.UTC);

  private RepairOutput() {}

  public static Map<String, Object> json(RepairReport r) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("schema", SCHEMA);
    m.put("runId", r.runId().value());
    m.put("mode", r.mode().id());
    m.put("target", r.target());
    m.put("started", r.started());
    m.put("ended", r.ended());
    m.put("actor", r.actor());
    m.put("exit", Json.exit(r.exitCode()));
    m.put("outcome", r.outcome());
    m.put("vm", r.vm() == null ? null : InspectOutput.vmJson(r.vm()));
    m.put("findingsBefore", Json.findings(r.findingsBefore()));
    m.put("plan", r.plan());
    m.put("blockedSteps", r.blockedSteps());
    m.put("operations", r.operations().stream().map(RepairOutput::operation).toList());
    m.put("guestRuns", r.guestRuns().stream().map(RepairOutput::guestRun).toList());
    m.put("changes", r.changes());
    m.put("changesUnknown", r.changesUnknown());
    m.put("backups", r.backups());
    m.put("restart", r.restart() == null ? null : Json.object(
        "policy", r.restart().policy().id(),
        "rebootSteps", r.restart().rebootSteps(),
        "performed", r.restart().performed(),
        "reason", r.restart().reason(),
        "activeSessions", r.restart().activeSessions()));
    m.put("verification", r.verification() == null ? null : Json.object(
        "findingsAfter", Json.findings(r.verification().findingsAfter()),
        "probe", r.verification().probe(),
        "probedAddress", r.verification().probedAddress(),
        "note", r.verification().note()));
    m.put("scripts", r.scripts());
    m.put("undoCommand", r.undoCommand());
    m.put("findOutCommand", r.findOutCommand());
    return m;
  }

  private static Map<String, Object> operation(Operation o) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("kind", o.kind().id());
    m.put("purpose", o.purpose());
    m.put("started", o.started());
    m.put("ended", o.ended());
    m.put("result", o.result());
    m.put("sha256", o.sha256());
    return m;
  }

  private static Map<String, Object> guestRun(GuestRun g) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("templateId", g.templateId());
    m.put("sha256", g.sha256());
    m.put("parameters", g.parameters());
    m.put("started", g.started());
    m.put("ended", g.ended());
    m.put("status", g.status().id());
    m.put("error", g.error());
    m.put("facts", g.facts());
    m.put("scriptFindings", g.scriptFindings());
    m.put("changes", g.changes());
    m.put("backups", g.backups());
    m.put("steps", g.steps().stream().map(RepairOutput::guestRun).toList());
    return m;
  }

  public static String text(RepairReport r, Style style, boolean showScripts) {
    StringBuilder b = new StringBuilder();
    b.append(style.bold(r.mode().id() + " " + (r.target() == null ? "" : r.target()))).append("  run ")
        .append(r.runId().value()).append('\n');
    if (!r.findingsBefore().isEmpty()) {
      b.append("\nFindings before:\n");
      for (Finding f : r.findingsBefore()) {
        b.append("  ").append(style.severity(f.severity())).append(' ').append(f.id()).append(": ")
            .append(Inert.text(f.summary())).append('\n');
      }
    }
    if (!r.plan().isEmpty()) {
      b.append("\nPlan (").append(r.plan().size()).append(" step(s), in order):\n");
      int i = 1;
      for (PlannedStep s : r.plan()) {
        b.append(String.format("  %d. %s%s: %s%n", i++, s.templateId(), s.destructive() ? " [destructive]" : "",
            Inert.text(s.reason())));
      }
    }
    for (String blocked : r.blockedSteps()) {
      b.append("  blocked: ").append(blocked).append('\n');
    }
    if (r.restart() != null) {
      b.append("\nRestart (--restart ").append(r.restart().policy().id()).append("): ")
          .append(r.restart().performed() ? "the VM was restarted through Azure" : r.mode() == RunMode.DRY_RUN
              || r.operations().stream().noneMatch(o -> o.kind() == OperationKind.RUN_COMMAND
                  && o.purpose().startsWith("repair bundle"))
              ? (r.restart().vmRestartPlanned() ? "VM restart planned" : "no VM restart planned") : "no VM restart")
          .append("\n  ").append(r.restart().reason()).append('\n');
      String sessions = sessions(r.restart());
      if (sessions != null) {
        b.append("  ").append(sessions).append('\n');
      }
    }
    if (showScripts) {
      for (GuestChannel.Preview p : r.scripts()) {
        b.append("\nScript that would be sent (").append(p.templateId()).append(", sha256 ").append(p.sha256())
            .append(")\nRun Command parameters: ").append(p.parameters()).append("\n----- begin script -----\n")
            .append(p.script()).append(p.script().endsWith("\n") ? "" : "\n").append("----- end script -----\n");
      }
    }
    if (!r.operations().isEmpty()) {
      b.append("\nAzure operations:\n");
      for (Operation o : r.operations()) {
        b.append(String.format("  %s  %-11s %-46s %s%s%n", TIME.format(o.started()), o.kind().id(),
            style.truncate(Inert.text(o.purpose()), 46),
            o.result().startsWith("ok") ? style.good(Inert.text(o.result()))
                : style.bad(Inert.text(o.result())),
            o.ended() == null ? "" : " (" + seconds(Duration.between(o.started(), o.ended())) + ")"));
      }
    }
    if (r.changesUnknown()) {
      b.append("\nChanges on the VM: unknown: a change was sent and its outcome was not read").append(
          r.changes().isEmpty() ? "" : " (the changes known so far are listed)").append(".\n  Find out: ")
          .append(r.findOutCommand()).append("\n  Undo: ").append(r.undoCommand()).append('\n');
    }
    if (!r.changes().isEmpty()) {
      b.append(r.changesUnknown() ? "" : "\nChanges on the VM:\n");
      for (GuestRun.Change c : r.changes()) {
        b.append("  ").append(Inert.text(c.what())).append(": ").append(Inert.text(c.before())).append(" -> ")
            .append(Inert.text(c.after())).append('\n');
      }
    }
    if (!r.backups().isEmpty()) {
      b.append("\nBackups on the VM:\n");
      r.backups().forEach(p -> b.append("  ").append(Inert.text(p)).append('\n'));
    }
    if (r.verification() != null) {
      b.append("\nVerification:\n");
      var v = r.verification();
      if (v.probe() != null) {
        b.append("  probe ").append(v.probedAddress()).append(": ").append(v.probe().verdict().id()).append(" - ")
            .append(Inert.text(v.probe().summary())).append('\n');
      }
      if (v.note() != null) {
        b.append("  ").append(Inert.text(v.note())).append('\n');
      }
      if (v.findingsAfter().isEmpty()) {
        if (verifiedByDiagnose(r)) {
          b.append("  guest: no findings\n");
        }
      } else {
        for (Finding f : v.findingsAfter()) {
          b.append("  ").append(style.severity(f.severity())).append(' ').append(f.id()).append(": ")
              .append(Inert.text(f.summary())).append('\n');
        }
      }
    }
    b.append('\n').append(r.exitCode().code() == 0 ? style.good(Inert.text(r.outcome()))
        : style.bad(Inert.text(r.outcome())))
        .append(" (exit ").append(r.exitCode().code()).append(")\n");
    return b.toString();
  }

  public static String markdown(RepairReport r) {
    StringBuilder b = new StringBuilder();
    b.append("# azrdpfix ").append(r.mode().id()).append(": ").append(r.target()).append("\n\n");
    b.append("| | |\n|---|---|\n");
    b.append("| Run | `").append(r.runId().value()).append("` |\n");
    b.append("| Outcome | ").append(md(r.outcome())).append(" |\n");
    b.append("| Exit code | ").append(r.exitCode().code()).append(" (").append(r.exitCode().description())
        .append(") |\n");
    b.append("| Started / ended (UTC) | ").append(second(r.started())).append(" / ").append(second(r.ended()))
        .append(" |\n");
    if (r.started() != null && r.ended() != null) {
      b.append("| Duration | ").append(duration(Duration.between(r.started(), r.ended()))).append(" |\n");
    }
    if (r.actor() != null) {
      b.append("| Run by | ").append(md(r.actor().user())).append(" on ").append(md(r.actor().host()))
          .append(", auth ").append(md(r.actor().auth())).append(", subscription ")
          .append(md(r.actor().subscription())).append(", ").append(md(r.actor().toolVersion())).append(" |\n");
    }
    b.append("\n## Findings before\n\n");
    if (r.findingsBefore().isEmpty()) {
      b.append("None.\n");
    }
    for (Finding f : r.findingsBefore()) {
      b.append("- **").append(f.severity().id()).append("** `").append(f.id()).append("`: ").append(md(f.summary()))
          .append(" Evidence: ").append(md(f.evidence())).append('\n');
    }
    b.append("\n## Plan\n\n");
    if (r.plan().isEmpty()) {
      b.append("No step.\n");
    }
    int i = 1;
    for (PlannedStep s : r.plan()) {
      b.append(i++).append(". `").append(s.templateId()).append("`: ").append(md(s.reason())).append('\n');
    }
    if (r.restart() != null) {
      b.append("\n## Restart\n\n- Policy: `--restart ").append(r.restart().policy().id()).append("`; VM restarted"
          + " through Azure: **").append(r.restart().performed() ? "yes" : "no").append("**\n- Why: ")
          .append(md(r.restart().reason())).append('\n');
      String sessions = sessions(r.restart());
      if (sessions != null) {
        b.append("- ").append(sessions).append('\n');
      }
    }
    b.append("\n## Azure operations\n\n| # | Kind | Purpose | Start | End | Result | Script SHA-256 |\n"
        + "|---|---|---|---|---|---|---|\n");
    i = 1;
    for (Operation o : r.operations()) {
      b.append("| ").append(i++).append(" | ").append(o.kind().id()).append(" | ").append(md(o.purpose()))
          .append(" | ")
          .append(second(o.started())).append(" | ").append(o.ended() == null ? "" : second(o.ended())).append(" | ")
          .append(md(o.result())).append(" | ").append(o.sha256() == null ? "" : "`" + o.sha256() + "`")
          .append(" |\n");
    }
    b.append("\n## Changes on the VM\n\n");
    if (r.changesUnknown()) {
      b.append("**Unknown**: a change was sent to the VM and its outcome was not read").append(r.changes().isEmpty()
          ? "" : "; the changes known so far are listed").append(". Find out with `").append(md(r.findOutCommand()))
          .append("`.\n\n");
    } else if (r.changes().isEmpty()) {
      b.append("None.\n");
    }
    for (GuestRun.Change c : r.changes()) {
      b.append("- ").append(md(c.what())).append(": `").append(Inert.code(c.before())).append("` -> `")
          .append(Inert.code(c.after()))
          .append("`\n");
    }
    b.append("\n## Backups on the VM\n\n");
    if (r.backups().isEmpty()) {
      b.append("None.\n");
    }
    r.backups().forEach(p -> b.append("- `").append(Inert.code(p)).append("`\n"));
    if (r.verification() != null) {
      b.append("\n## Verification\n\n");
      var v = r.verification();
      if (v.probe() != null) {
        b.append("- Probe of ").append(v.probedAddress()).append(": **").append(v.probe().verdict().id())
            .append("**: ").append(md(v.probe().summary())).append('\n');
      }
      if (v.note() != null) {
        b.append("- ").append(md(v.note())).append('\n');
      }
      b.append("- Guest findings after: ").append(v.findingsAfter().isEmpty()
          ? (verifiedByDiagnose(r) ? "none" : "no verify diagnosis ran")
          : String.join(", ", v.findingsAfter().stream().map(f -> f.id().id()).toList())).append('\n');
    }
    if (r.changedSomething() && r.mode() == RunMode.REPAIR) { // a rollback's own run id is no undo
      b.append("\nUndo: `").append(undoCommand(r)).append("`\n");
    }
    if (r.exitCode().code() != 0) {
      b.append("\n## Next steps\n\n");
      nextSteps(r).forEach(n -> b.append("- ").append(md(n)).append('\n'));
    }
    return b.toString();
  }

  /** The command that undoes this run's changes. */
  public static String undoCommand(RepairReport r) {
    return r.undoCommand() != null ? r.undoCommand()
        : "azrdpfix rollback " + r.target() + " --run " + r.runId().value();
  }

  /** The signed-in RDP sessions a TermService or VM restart ends, as one line; null when there are none. */
  private static String sessions(RepairReport.RestartPath p) {
    if (p.activeSessions() == null || p.activeSessions() == 0) {
      return null;
    }
    return p.activeSessions() + " signed-in RDP session(s) before the repair: restarting TermService or the VM ends"
        + " them";
  }

  /** Whether a read-only diagnosis ran after the repair (the "always" and reboot paths), so "no findings" means it. */
  private static boolean verifiedByDiagnose(RepairReport r) {
    return r.guestRuns().stream().filter(g -> "diagnose".equals(g.templateId())).count() > 1
        || r.mode() != RunMode.REPAIR;
  }

  /** What to do after a run that did not end with exit 0, most important first; commands are quoted. */
  public static java.util.List<String> nextSteps(RepairReport r) {
    java.util.List<String> out = new java.util.ArrayList<>();
    String t = r.target() == null ? "VM" : r.target();
    if (r.changedSomething() && r.mode() == dev.azrdpfix.core.repair.RunMode.REPAIR) {
      out.add("To undo this run's changes: '" + undoCommand(r) + "'.");
    }
    switch (r.exitCode()) {
      case NOT_CONFIRMED -> out.add("Preview the plan with 'azrdpfix " + command(r) + " "
          + t + " --dry-run', then rerun with --yes to apply it.");
      case RDP_BLOCKED -> out.add("See what still blocks RDP: 'azrdpfix inspect " + t + "'.");
      case INTERRUPTED -> out.add("The run was interrupted: check the VM with 'azrdpfix inspect " + t + "'.");
      case REPAIR_FAILED -> out.add("A step failed inside the VM: the changes above were made before it.");
      case AZURE -> out.add("Azure refused or failed a request: see the outcome; rerun with --verbose for the"
          + " requests.");
      case PRECONDITION -> out.add("A precondition was not met: see the outcome above, then rerun.");
      default -> out.add("See the outcome above.");
    }
    java.util.List<Finding> still = r.verification() != null ? r.verification().findingsAfter() : r.findingsBefore();
    for (Finding f : still) {
      if (f.blocksRdp() && f.nextStep() != null) {
        out.add(f.id() + ": " + f.nextStep());
      }
    }
    return out;
  }

  private static String second(java.time.Instant t) {
    return t == null ? "" : t.truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString();
  }

  private static String duration(Duration d) {
    long s = d.getSeconds();
    return s >= 60 ? s / 60 + " min" + (s % 60 == 0 ? "" : " " + s % 60 + " s") : s + " s";
  }

  private static String command(RepairReport r) {
    return r.mode() == dev.azrdpfix.core.repair.RunMode.ROLLBACK
        || r.mode() == dev.azrdpfix.core.repair.RunMode.ROLLBACK_DRY_RUN ? "rollback" : "repair";
  }

  /**
   * What the person confirming a repair must see before answering: the findings, the plan with each step's reason,
   * the restart and how long users are cut off, and the undo command. Empty until there is a plan (e.g. when
   * asking whether to start a stopped VM first).
   */
  public static String confirmation(RepairReport r, Style style, Duration vmTimeout) {
    StringBuilder b = new StringBuilder();
    if (!r.findingsBefore().isEmpty()) {
      b.append("\nFindings:\n");
      for (Finding f : r.findingsBefore()) {
        b.append("  ").append(style.severity(f.severity())).append(' ').append(f.id()).append(": ")
            .append(f.summary()).append('\n');
      }
    }
    if (!r.plan().isEmpty()) {
      b.append("\nPlan for ").append(r.target()).append(" (").append(r.plan().size())
          .append(" step(s), in one Run Command, backups first):\n");
      int i = 1;
      for (PlannedStep s : r.plan()) {
        b.append("  ").append(i++).append(". ").append(s.templateId()).append(s.destructive() ? " [destructive]" : "")
            .append(": ").append(s.reason()).append('\n');
      }
    }
    boolean serviceRestartOnly = r.restart() != null && !r.restart().vmRestartPlanned();
    if (r.target() != null && !r.plan().isEmpty() && serviceRestartOnly) {
      b.append("\nThen TermService and SessionEnv restart inside ").append(r.target()).append(": RDP users are cut"
          + " off for about a minute; the VM itself is restarted through Azure only ")
          .append(r.restart().policy() == dev.azrdpfix.core.repair.RestartPolicy.NEVER ? "never (--restart never)"
              : "if RDP still fails afterwards (--restart auto)")
          .append(".\n");
      if (r.mode() == dev.azrdpfix.core.repair.RunMode.REPAIR) {
        b.append("Undo afterwards: '").append(undoCommand(r)).append("'\n");
      }
    } else if (r.target() != null && !r.plan().isEmpty()) {
      b.append("\nThen ").append(r.target()).append(" is restarted once through Azure: users are cut off until it is"
          + " back, typically 2-5 minutes (the run waits at most ").append(duration(vmTimeout))
          .append(" for the VM).\n");
      if (r.mode() == dev.azrdpfix.core.repair.RunMode.REPAIR) {
        b.append("Undo afterwards: '").append(undoCommand(r)).append("'\n");
      }
    }
    return b.toString();
  }

  /** Text we did not write, made safe for one Markdown line or table cell ({@link Inert#markdown}). */
  private static String md(String s) {
    return Inert.markdown(s);
  }

  private static String seconds(Duration d) {
    return String.format(java.util.Locale.ROOT, "%.1f s", d.toMillis() / 1000.0);
  }
}
