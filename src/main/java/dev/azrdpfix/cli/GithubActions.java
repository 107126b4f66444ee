package dev.azrdpfix.cli;

import dev.azrdpfix.core.ExitCode;
import dev.azrdpfix.core.inspect.InspectReport;
import dev.azrdpfix.core.model.Finding;
import dev.azrdpfix.core.probe.ProbeResult;
import dev.azrdpfix.core.repair.RepairReport;
import dev.azrdpfix.core.repair.RunMode;
import dev.azrdpfix.report.InspectOutput;
import dev.azrdpfix.report.Json;
import dev.azrdpfix.report.RepairOutput;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * First-class GitHub Actions output, active when {@code GITHUB_ACTIONS=true}: the job summary
 * ({@code GITHUB_STEP_SUMMARY}, the same Markdown as {@code --report}), step outputs ({@code GITHUB_OUTPUT}:
 * {@code exit-code}, {@code exit-name}, {@code verdict}, {@code run-id}, {@code report}), one annotation per blocking
 * finding, and the progress inside a collapsible group.
 *
 * <p>Text that comes from the guest (the broken machine: untrusted) or from Azure errors must never be read by the
 * runner as a workflow command. So in Actions mode every byte the tool writes to stdout and stderr goes through a
 * {@link Console} that neutralises any line that would start a command ({@code ::name} or the legacy {@code ##[name]},
 * after leading blanks, with CR counted as a line break as the runner does): {@code ::} becomes {@code : :}. The
 * tool's own commands pass only because they carry a per-process random token the guest cannot know.
 *
 * <p>Limits honoured: at most {@value #MAX_ANNOTATIONS} annotations of each type per step (the runner drops the rest
 * silently; the last one says how many more there are), and a step summary below GitHub's 1 MiB.
 */
public final class GithubActions {
  /** Per step and type the runner keeps 10 annotations; we never emit more. */
  static final int MAX_ANNOTATIONS = 10;
  /** GitHub rejects a step summary over 1 MiB; stay well below it. */
  static final int MAX_SUMMARY_BYTES = 1_000_000;

  private static final String TOKEN = "\u0001azrdpfix-" + HexFormat.of().formatHex(new SecureRandom()
      .generateSeed(12)) + "\u0001";
  private static final GithubActions OFF = new GithubActions(null);

  private final Environment env;
  private final Map<String, String> outputs = new LinkedHashMap<>();
  private boolean groupOpen;
  private boolean reported;
  private String lastError;

  private GithubActions(Environment env) {
    this.env = env;
  }

  /** Actions output for this process run, or a no-op when not running under GitHub Actions. */
  static GithubActions start(Environment env) {
    return "true".equalsIgnoreCase(env.get("GITHUB_ACTIONS")) ? new GithubActions(env) : OFF;
  }

  /** The run's Actions output, found through the writer the command was given; a no-op outside Actions. */
  static GithubActions of(PrintWriter writer) {
    return writer instanceof Console c ? c.actions : OFF;
  }

  boolean enabled() {
    return env != null;
  }

  /** A writer that neutralises workflow commands in everything written, or {@code w} itself outside Actions. */
  PrintWriter guard(PrintWriter w) {
    return enabled() ? new Console(w, this) : w;
  }

  /** Opens the progress group: what this run is doing, collapsed in the log. */
  void beginGroup(PrintWriter err, String[] args) {
    if (!enabled()) {
      return;
    }
    StringBuilder title = new StringBuilder("azrdpfix");
    for (int i = 0; i < args.length && i < 2; i++) {
      if (args[i].startsWith("-")) {
        break;
      }
      title.append(' ').append(args[i]);
    }
    command(err, "group", Map.of(), title + ": progress");
    groupOpen = true;
  }

  /** Closes the progress group, so the result that follows is visible without expanding it. Idempotent. */
  void endGroup(PrintWriter err) {
    if (enabled() && groupOpen) {
      command(err, "endgroup", Map.of(), "");
      groupOpen = false;
    }
  }

  // ---- what the commands report

  /** {@code inspect}: summary, outputs and one annotation per blocking finding. */
  void inspect(InspectReport r, Path report, PrintWriter err) {
    if (!enabled()) {
      return;
    }
    endGroup(err);
    reported = true;
    summary(InspectOutput.markdown(r));
    outputs.put("verdict", verdict(r.exitCode(), null));
    outputs.put("run-id", "");
    outputs.put("report", report == null ? "" : report.toString());
    if (r.exitCode() != ExitCode.OK) {
      annotate(err, r.findings(), r.exitCode(), "azrdpfix inspect " + r.target());
    }
  }

  /** {@code repair} and {@code rollback} (and their dry runs). */
  void repair(RepairReport r, Path report, PrintWriter err, NextCommands next) {
    if (!enabled()) {
      return;
    }
    endGroup(err);
    reported = true;
    summary(next.carry(RepairOutput.markdown(r)));
    var probe = r.verification() == null ? null : r.verification().probe();
    outputs.put("verdict", verdict(r.exitCode(), probe));
    outputs.put("run-id", r.runId() == null ? "" : r.runId().value());
    outputs.put("report", report == null ? "" : report.toString());
    String title = "azrdpfix " + r.mode().id() + " " + r.target();
    if (r.exitCode() == ExitCode.OK) {
      if (!r.changes().isEmpty()) {
        command(err, "notice", Map.of("title", title), r.outcome() + (r.mode() == RunMode.REPAIR
            ? ". Undo: azrdpfix rollback " + r.target() + " --run " + r.runId() : "."));
      } else if (!r.plan().isEmpty()) {
        // A dry run with a plan: the VM still has the problems the plan would fix.
        annotate(err, r.findingsBefore(), ExitCode.OK, title);
      }
      return;
    }
    List<Finding> blocking = r.verification() != null ? r.verification().findingsAfter() : r.findingsBefore();
    if (blocking.stream().noneMatch(Finding::blocksRdp)) {
      command(err, "error", Map.of("title", title + ": exit " + r.exitCode().code() + " ("
          + ExitNames.of(r.exitCode()) + ")"), r.outcome());
    } else {
      annotate(err, blocking, r.exitCode(), title);
    }
  }

  /** {@code probe}: the verdict, and an error annotation when RDP does not answer. */
  void probe(ProbeResult r, PrintWriter err) {
    if (!enabled()) {
      return;
    }
    endGroup(err);
    reported = true;
    String target = r.host() + ":" + r.port();
    StringBuilder md = new StringBuilder("# azrdpfix probe: ").append(Markdown.text(target)).append("\n\n")
        .append("| | |\n|---|---|\n")
        .append("| Verdict | **").append(r.verdict().id()).append("** |\n")
        .append("| Summary | ").append(Markdown.cell(r.summary())).append(" |\n")
        .append("| Attempts | ").append(r.attempts()).append(" in ").append(r.elapsedMillis()).append(" ms |\n");
    if (r.certificate() != null) {
      md.append("| Certificate | ").append(Markdown.cell(String.valueOf(r.certificate()))).append(" |\n");
    }
    summary(md.toString());
    ExitCode code = r.ok() ? ExitCode.OK : ExitCode.RDP_BLOCKED;
    outputs.put("verdict", verdict(code, r));
    outputs.put("run-id", "");
    outputs.put("report", "");
    if (!r.ok()) {
      command(err, "error", Map.of("title", "azrdpfix probe " + target + ": " + r.verdict().id()), r.summary());
    }
  }

  /** {@code check-access}: the missing actions as one error, with the role that has them. */
  void checkAccess(String target, List<String> missing, String role, String markdown, PrintWriter err) {
    if (!enabled()) {
      return;
    }
    endGroup(err);
    reported = true;
    summary(markdown);
    outputs.put("verdict", missing.isEmpty() ? "ok" : "missing-permissions");
    outputs.put("run-id", "");
    outputs.put("report", "");
    if (!missing.isEmpty()) {
      command(err, "error", Map.of("title", "azrdpfix check-access " + target + ": " + missing.size()
          + " action(s) missing"), String.join(", ", missing) + ". Assign '" + role + "' or the azrdpfix role.");
    }
  }

  /**
   * End of the process run: closes the group, writes the exit outputs and, when no command reported (a usage or
   * Azure error ended the run), the error line as an annotation and a short summary.
   */
  void finish(int code, PrintWriter out, PrintWriter err) {
    if (!enabled()) {
      return;
    }
    if (out instanceof Console c) {
      c.finishLine();
    }
    if (err instanceof Console c) {
      c.finishLine();
    }
    endGroup(err);
    ExitCode exit = ExitNames.find(code);
    String name = exit == null ? "unknown" : ExitNames.of(exit);
    if (!reported) {
      outputs.put("verdict", code == 0 ? "ok" : name);
      outputs.put("run-id", "");
      outputs.put("report", "");
      if (code != 0 && lastError != null) {
        command(err, "error", Map.of("title", "azrdpfix: exit " + code + " (" + name + ")"), lastError);
        summary("# azrdpfix: exit " + code + " (" + name + ")\n\n" + Markdown.cell(lastError) + "\n");
      }
    }
    Map<String, String> all = new LinkedHashMap<>();
    all.put("exit-code", Integer.toString(code));
    all.put("exit-name", name);
    all.putAll(outputs);
    writeOutputs(all);
    if (err instanceof Console c) {
      c.finishLine();
    }
  }

  // ---- the pieces

  /** {@code ok} means RDP works; {@code blocked} that it does not; a probe's own verdict id when one ran. */
  static String verdict(ExitCode code, ProbeResult probe) {
    if (probe != null) {
      return probe.verdict().id();
    }
    return switch (code) {
      case OK -> "ok";
      case RDP_BLOCKED -> "blocked";
      default -> ExitNames.of(code);
    };
  }

  private void annotate(PrintWriter err, List<Finding> findings, ExitCode code, String title) {
    String type = code == ExitCode.OK ? "warning" : "error";
    List<Finding> blocking = findings.stream().filter(Finding::blocksRdp).toList();
    for (int i = 0; i < blocking.size() && i < MAX_ANNOTATIONS; i++) {
      Finding f = blocking.get(i);
      String more = i == MAX_ANNOTATIONS - 1 && blocking.size() > MAX_ANNOTATIONS
          ? " (and " + (blocking.size() - MAX_ANNOTATIONS) + " more blocking finding(s): see the job summary)" : "";
      command(err, type, Map.of("title", title + ": " + f.id()), f.summary()
          + (f.nextStep() == null ? "" : " Next: " + f.nextStep()) + more);
    }
  }

  /** Writes {@code ::name props::message}, escaped by the workflow-command rules, marked as ours for the guard. */
  private void command(PrintWriter err, String name, Map<String, String> properties, String message) {
    StringBuilder b = new StringBuilder(TOKEN).append("::").append(name);
    boolean first = true;
    for (var p : properties.entrySet()) {
      b.append(first ? ' ' : ',').append(p.getKey()).append('=').append(escapeProperty(p.getValue()));
      first = false;
    }
    b.append("::").append(escapeData(message == null ? "" : message));
    err.println(b);
    err.flush();
  }

  /** Workflow-command data escaping: {@code %}, CR and LF. */
  static String escapeData(String s) {
    return s.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A");
  }

  /** Workflow-command property escaping: data escaping plus {@code :} and {@code ,}. */
  static String escapeProperty(String s) {
    return escapeData(s).replace(":", "%3A").replace(",", "%2C");
  }

  private void summary(String markdown) {
    Path file = path("GITHUB_STEP_SUMMARY");
    if (file == null) {
      return;
    }
    String text = truncateUtf8(markdown, MAX_SUMMARY_BYTES);
    append(file, text.endsWith("\n") ? text : text + "\n");
  }

  /** Cuts at a line boundary below {@code max} UTF-8 bytes and says so; short text is returned unchanged. */
  static String truncateUtf8(String text, int max) {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    if (bytes.length <= max) {
      return text;
    }
    String note = "\n\n_Summary truncated at " + max + " bytes (GitHub's limit is 1 MiB): the full Markdown is in"
        + " the report file._\n";
    int budget = max - note.getBytes(StandardCharsets.UTF_8).length;
    String cut = new String(bytes, 0, budget, StandardCharsets.UTF_8);
    int nl = cut.lastIndexOf('\n');
    // Dropping the last (possibly broken) line also drops a half multi-byte character.
    return (nl > 0 ? cut.substring(0, nl) : "") + note;
  }

  private void writeOutputs(Map<String, String> values) {
    Path file = path("GITHUB_OUTPUT");
    if (file == null) {
      return;
    }
    StringBuilder b = new StringBuilder();
    for (var e : values.entrySet()) {
      b.append(outputEntry(e.getKey(), e.getValue()));
    }
    append(file, b.toString());
  }

  /** {@code name<<DELIM}, the value, {@code DELIM}: safe for any value, with a delimiter the value does not hold. */
  static String outputEntry(String name, String value) {
    String v = value == null ? "" : value;
    String delim;
    do {
      delim = "ghadelimiter_" + HexFormat.of().formatHex(new SecureRandom().generateSeed(9));
    } while (v.contains(delim));
    return name + "<<" + delim + "\n" + v + "\n" + delim + "\n";
  }

  private Path path(String variable) {
    String p = env.get(variable);
    return p == null ? null : Path.of(p);
  }

  private static void append(Path file, String text) {
    try {
      Files.writeString(file, text, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    } catch (IOException e) {
      // The run's result is on stdout and in the report; a lost summary must not change the exit code.
      System.err.println("azrdpfix: warning: cannot write " + file + ": " + e.getMessage());
    }
  }

  /** The stable kebab-case exit names, as in the JSON {@code exit.name}. */
  static final class ExitNames {
    private ExitNames() {}

    static String of(ExitCode c) {
      return String.valueOf(Json.exit(c).get("name"));
    }

    static ExitCode find(int code) {
      for (ExitCode c : ExitCode.values()) {
        if (c.code() == code) {
          return c;
        }
      }
      return null;
    }
  }

  /** Markdown helpers for text we did not write: one table cell or one heading, no raw HTML. */
  static final class Markdown {
    private Markdown() {}

    static String cell(String s) {
      return text(s).replace("|", "\\|");
    }

    static String text(String s) {
      return s == null ? "" : s.replace("\r", " ").replace("\n", " ").replace("<", "&lt;").replace(">", "&gt;");
    }
  }

  /**
   * The writer every byte of stdout and stderr goes through in Actions mode. A line is held back until its first
   * non-blank characters show whether it could be a workflow command; if it could, {@code ::} is written as
   * {@code : :} ({@code ##[} as {@code # #[}). Lines that start with the process's token are the tool's own
   * commands: the token is removed and the line passes. It also remembers the last {@code azrdpfix: } error line.
   */
  static final class Console extends PrintWriter {
    final GithubActions actions;

    Console(PrintWriter target, GithubActions actions) {
      super(new LineGuard(target, actions));
      this.actions = actions;
    }

    /** Writes what is still held back (neutralised) and flushes; the target stays open. */
    void finishLine() {
      flush();
      ((LineGuard) out).finishLine();
    }
  }

  private static final class LineGuard extends Writer {
    private final PrintWriter target;
    private final GithubActions actions;
    private final StringBuilder line = new StringBuilder();
    private final StringBuilder held = new StringBuilder();
    private boolean decided;
    private boolean afterCr;

    LineGuard(PrintWriter target, GithubActions actions) {
      this.target = target;
      this.actions = actions;
    }

    @Override
    public void write(char[] buf, int off, int len) {
      for (int i = off; i < off + len; i++) {
        char c = buf[i];
        if (c == '\n' && afterCr) {
          afterCr = false;
          continue; // CRLF is one break
        }
        afterCr = c == '\r';
        if (c == '\n' || c == '\r') {
          endLine();
          target.write('\n');
        } else {
          line.append(c);
          if (decided) {
            target.write(c);
          } else {
            held.append(c);
            decide(false);
          }
        }
      }
    }

    private void endLine() {
      if (!decided) {
        decide(true);
      }
      String text = line.toString();
      if (text.startsWith("azrdpfix: ")) {
        actions.lastError = text.substring("azrdpfix: ".length());
      }
      line.setLength(0);
      held.setLength(0);
      decided = false;
    }

    /** Decides the held start of a line once it is long enough (or the line ended). */
    private void decide(boolean atEnd) {
      int start = 0;
      while (start < held.length() && isBlank(held.charAt(start))) {
        start++;
      }
      String s = held.substring(start);
      if (s.startsWith(TOKEN)) {
        target.write(held.substring(0, start) + s.substring(TOKEN.length()));
        line.setLength(0);
        decided = true;
        return;
      }
      boolean couldBe = s.isEmpty() || TOKEN.startsWith(s) || s.equals(":") || s.equals("#") || s.equals("##");
      if (couldBe && !atEnd) {
        return;
      }
      String head = held.substring(0, start);
      if (s.startsWith("::")) {
        s = ": :" + s.substring(2);
      } else if (s.startsWith("##[")) {
        s = "# #[" + s.substring(3);
      }
      target.write(head + s);
      decided = true;
    }

    private static boolean isBlank(char c) {
      return Character.isWhitespace(c) || Character.isSpaceChar(c) || c == '\u0085' || c == '\u200B'
          || c == '\uFEFF';
    }

    /** Ends an unterminated line (neutralised like any other), so what follows starts on a line of its own. */
    void finishLine() {
      if (!held.isEmpty() || !line.isEmpty() || decided) {
        endLine();
        target.write('\n');
      }
      target.flush();
    }

    @Override
    public void flush() {
      target.flush();
    }

    @Override
    public void close() {
      finishLine();
    }
  }
}
