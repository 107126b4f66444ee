package dev.azrdpfix.cli;

import dev.azrdpfix.core.AzrdpfixException;
import dev.azrdpfix.core.ExitCode;
import dev.azrdpfix.core.port.Confirmer;
import dev.azrdpfix.core.port.Progress;
import dev.azrdpfix.core.port.Sleeper;
import dev.azrdpfix.core.repair.RepairWorkflow;
import dev.azrdpfix.template.TemplateCatalog;
import dev.azrdpfix.template.TemplateGuestChannel;
import java.time.Clock;
import java.time.Duration;
import dev.azrdpfix.core.probe.ProbeRequest;
import dev.azrdpfix.core.probe.ProbeResult;
import dev.azrdpfix.core.probe.RdpProber;
import dev.azrdpfix.core.repair.RepairReport;
import dev.azrdpfix.probe.TcpRdpProber;
import dev.azrdpfix.report.Json;
import dev.azrdpfix.report.RepairOutput;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Stream;

/** What repair and rollback share at the edge: confirmation, the probe, who ran it, where reports go. */
final class RunSupport {
  private RunSupport() {}

  /** The repair/rollback workflow over this session: templates through Run Command, the probe, the terminal. */
  static RepairWorkflow workflow(AzureSession session, Environment env, AzureOptions azure, boolean yes,
      PrintWriter err, Progress progress) {
    var channel = new TemplateGuestChannel(session.gateway, TemplateCatalog.load(), Duration.ofMinutes(30), progress);
    return new RepairWorkflow(session.gateway, channel, prober(session), confirmer(yes, env, err), progress,
        Clock.systemUTC(), Sleeper.REAL, actor(env, azure, session.gateway.subscriptionId()));
  }

  /** How often to ask Azure for the VM's state: every 5 s on Azure, 200 ms against the simulator. */
  static Duration pollInterval(AzureSession session) {
    return session.simulated() ? Duration.ofMillis(200) : Duration.ofSeconds(5);
  }

  static Confirmer confirmer(boolean yes, Environment env, PrintWriter err) {
    return question -> {
      if (yes) {
        return true;
      }
      if (!env.interactive()) {
        throw new AzrdpfixException(ExitCode.NOT_CONFIRMED, "confirmation needed but there is no terminal: review"
            + " the plan with --dry-run, then rerun with --yes.");
      }
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
  static RdpProber prober(AzureSession session) {
    RdpProber base = new TcpRdpProber();
    if (!session.simulated()) {
      return base;
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

  static RepairReport.Actor actor(Environment env, AzureOptions azure, String subscription) {
    String user = System.getProperty("user.name", "unknown");
    String host = Optional.ofNullable(env.get("HOSTNAME")).or(() -> Optional.ofNullable(env.get("COMPUTERNAME")))
        .orElse("unknown");
    String version = new VersionProvider().getVersion()[0];
    return new RepairReport.Actor(user, host, azure.simulate ? "simulated" : azure.auth, subscription, version);
  }

  /** Saves the JSON report in the cache (for rollback's "latest run") and, when asked, to FILE plus FILE.md. */
  static Path save(RepairReport report, Environment env, Path requested) {
    String json = Json.write(RepairOutput.json(report));
    String sub = report.actor() == null ? null : report.actor().subscription();
    Path store = reportsDir(env).resolve(key(sub, report.target()) + "__" + report.runId() + ".json");
    try {
      Files.createDirectories(store.getParent());
      Files.writeString(store, json);
      if (requested != null) {
        Path parent = requested.toAbsolutePath().getParent();
        if (parent != null) {
          Files.createDirectories(parent);
        }
        Files.writeString(requested, json);
        Files.writeString(requested.resolveSibling(markdownName(requested)), RepairOutput.markdown(report));
        return requested;
      }
      return store;
    } catch (IOException e) {
      throw new AzrdpfixException(ExitCode.INTERNAL, "cannot write the report to " + (requested != null ? requested
          : store) + ": " + e.getMessage() + ". Check the path and permissions.");
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
  static void print(RepairReport report, OutputOptions output, Environment env, boolean dryRun, PrintWriter out) {
    if (output.json()) {
      out.println(Json.write(RepairOutput.json(report)));
    } else {
      out.print(RepairOutput.text(report, Validation.style(env, output), dryRun));
    }
    out.flush();
  }

  /** The run id of the latest recorded repair of this VM that changed something, if any. */
  static Optional<String> latestRepair(Environment env, String subscription, String target) {
    Path dir = reportsDir(env);
    if (!Files.isDirectory(dir)) {
      return Optional.empty();
    }
    String prefix = key(subscription, target) + "__";
    try (Stream<Path> files = Files.list(dir)) {
      return files.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(prefix) && n.endsWith(".json"))
          .sorted(Comparator.reverseOrder())
          .filter(n -> {
            try {
              var doc = Json.MAPPER.readTree(dir.resolve(n).toFile());
              return doc.path("mode").asText().equals("repair") && doc.path("changes").size() > 0;
            } catch (IOException e) {
              return false;
            }
          })
          .map(n -> n.substring(prefix.length(), n.length() - 5)).findFirst();
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  private static Path reportsDir(Environment env) {
    return env.cacheDir().resolve("reports");
  }

  private static String key(String subscription, String target) {
    String k = subscription + "_" + (target == null ? "unknown" : target);
    return k.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9._-]", "_");
  }
}
