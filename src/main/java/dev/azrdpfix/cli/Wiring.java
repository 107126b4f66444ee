package dev.azrdpfix.cli;

import dev.azrdpfix.core.AzrdpfixException;
import dev.azrdpfix.core.ExitCode;
import dev.azrdpfix.core.inspect.GuestDiagnostics;
import dev.azrdpfix.core.inspect.InspectWorkflow;
import dev.azrdpfix.core.port.Confirmer;
import dev.azrdpfix.core.port.GuestChannel;
import dev.azrdpfix.core.port.Progress;
import dev.azrdpfix.core.port.ReportStore;
import dev.azrdpfix.core.probe.ProbeRequest;
import dev.azrdpfix.core.probe.ProbeResult;
import dev.azrdpfix.core.probe.RdpProber;
import dev.azrdpfix.core.repair.RepairReport;
import dev.azrdpfix.core.repair.RepairWorkflow;
import dev.azrdpfix.core.repair.RollbackWorkflow;
import dev.azrdpfix.core.repair.RunJournal;
import dev.azrdpfix.core.repair.RunMode;
import dev.azrdpfix.core.repair.VmWaiter;
import dev.azrdpfix.probe.TcpRdpProber;
import dev.azrdpfix.report.FileReportStore;
import dev.azrdpfix.template.TemplateCatalog;
import dev.azrdpfix.template.TemplateGuestChannel;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;

/**
 * The one place where the product is put together: the ports over one {@link AzureSession} (templates through Run
 * Command, the real probe, the terminal, the report folder, the real clock) and the workflows over the ports. Commands
 * ask it for a workflow and never build one themselves.
 */
final class Wiring {
  /** Longest a single Run Command may take: diagnosis for inspect, and any script of a run that changes the VM. */
  private static final Duration INSPECT_SCRIPT_TIMEOUT = Duration.ofMinutes(10);
  private static final Duration RUN_SCRIPT_TIMEOUT = Duration.ofMinutes(30);

  private final AzureSession session;
  private final Environment env;
  private final Progress progress;
  private final Clock clock;

  Wiring(AzureSession session, Environment env, Progress progress) {
    this.session = session;
    this.env = env;
    this.progress = progress;
    this.clock = session.clock;
  }

  InspectWorkflow inspect() {
    return new InspectWorkflow(session.gateway, progress, new GuestDiagnostics(channel(INSPECT_SCRIPT_TIMEOUT)));
  }

  RepairWorkflow repair(Confirmer confirmer) {
    return new RepairWorkflow(session.gateway, channel(RUN_SCRIPT_TIMEOUT), prober(), confirmer, progress, clock,
        waiter());
  }

  RollbackWorkflow rollback(Confirmer confirmer) {
    return new RollbackWorkflow(session.gateway, channel(RUN_SCRIPT_TIMEOUT), prober(), confirmer, progress,
        reports(), waiter(), clock);
  }

  /** The reports of past runs, in the cache folder. */
  ReportStore reports() {
    return reports(env);
  }

  /** The report cache of {@code env}, also without a session (e.g. for {@code simulator reset}). */
  static FileReportStore reports(Environment env) {
    return new FileReportStore(env.cacheDir().resolve("reports"));
  }

  /** A new run's journal: a fresh run id, and who runs it with what. */
  RunJournal journal(RunMode mode, String auth) {
    return RunJournal.start(mode, actor(auth), clock, progress);
  }

  private GuestChannel channel(Duration timeout) {
    return new TemplateGuestChannel(session.gateway, TemplateCatalog.load(), timeout, progress);
  }

  /** Polls the VM's state every 5 s on Azure, every 200 ms against the simulator (built in or served on loopback). */
  private VmWaiter waiter() {
    Duration poll = session.simulated() || session.loopbackArm ? Duration.ofMillis(200) : Duration.ofSeconds(5);
    return new VmWaiter(session.gateway, progress, clock, session.sleeper, poll);
  }

  /** Confirmation on the terminal; {@code --yes} answers yes, and without a terminal nobody can answer. */
  static Confirmer confirmer(boolean yes, Environment env, PrintWriter err) {
    return confirmer(yes, env, err, () -> "");
  }

  /**
   * As {@link #confirmer(boolean, Environment, PrintWriter)}, printing {@code context} (the findings, the plan with
   * reasons, the restart and the undo command) before the question, so the answer is an informed one.
   */
  static Confirmer confirmer(boolean yes, Environment env, PrintWriter err,
      java.util.function.Supplier<String> context) {
    return question -> {
      if (yes) {
        return true;
      }
      if (!env.interactive()) {
        throw new AzrdpfixException(ExitCode.NOT_CONFIRMED, "confirmation needed but there is no terminal: review"
            + " the plan with --dry-run, then rerun with --yes.");
      }
      err.print(context.get());
      err.print(question + " [y/N] ");
      err.flush();
      try {
        String answer = env.in().readLine();
        return answer != null && answer.trim().toLowerCase(Locale.ROOT).matches("y|yes");
      } catch (IOException e) {
        return false;
      }
    };
  }

  /** The real probe; with the simulated Azure, VM addresses are mapped to their loopback listeners first. */
  private RdpProber prober() {
    RdpProber base = new TcpRdpProber(session.clock, session.sleeper);
    if (!session.simulated()) {
      String map = env.get(LoopbackRdp.VARIABLE);
      return session.loopbackArm || map != null ? LoopbackRdp.prober(base, LoopbackRdp.parse(map)) : base;
    }
    return request -> {
      InetSocketAddress a = session.simulatedRdpAddress(request.host(), request.port());
      ProbeResult r = base.probe(new ProbeRequest(a.getHostString(), a.getPort(), request.stageTimeout(),
          request.waitFor(), request.expectedThumbprint()));
      // Report the VM's address, as on Azure; the loopback listener behind it is an implementation detail.
      String vmAddress = request.host() + ":" + request.port();
      String summary = r.summary() == null ? null
          : r.summary().replace(a.getHostString() + ":" + a.getPort(), vmAddress);
      return new ProbeResult(r.verdict(), summary, request.host(), request.port(), r.attempts(), r.elapsedMillis(),
          r.roundTrips(), r.stages(), r.negotiation(), r.tls(), r.certificate(), r.ntlm(), r.warnings());
    };
  }

  /** The machine's name as the OS knows it (HOSTNAME is a shell variable, rarely exported to programs). */
  private static String localHostName() {
    try {
      String name = java.net.InetAddress.getLocalHost().getHostName();
      return name == null || name.isBlank() ? "unknown" : name;
    } catch (IOException | SecurityException e) {
      return "unknown";
    }
  }

  private RepairReport.Actor actor(String auth) {
    String user = System.getProperty("user.name", "unknown");
    String host = Optional.ofNullable(env.get("HOSTNAME")).or(() -> Optional.ofNullable(env.get("COMPUTERNAME")))
        .orElseGet(Wiring::localHostName);
    String version = new VersionProvider().getVersion()[0];
    return new RepairReport.Actor(user, host, session.simulated() ? "simulated" : auth,
        session.gateway.subscriptionId(), version);
  }
}
