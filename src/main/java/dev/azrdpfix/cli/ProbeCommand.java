package dev.azrdpfix.cli;

import dev.azrdpfix.core.AzrdpfixException;
import dev.azrdpfix.core.ExitCode;
import dev.azrdpfix.core.probe.ProbeRequest;
import dev.azrdpfix.core.probe.ProbeResult;
import dev.azrdpfix.probe.ProbeJson;
import dev.azrdpfix.probe.ProbeText;
import dev.azrdpfix.probe.TcpRdpProber;
import dev.azrdpfix.probe.TlsPolicy;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code probe HOST[:PORT]}: the RDP connection sequence up to where credentials would be needed. No Azure. */
@Command(name = "probe", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Prove RDP answers the way a client finds out: TCP, X.224 negotiation, TLS, the certificate and",
        "CredSSP's first step (NTLM, no credentials sent). Exit 0 when RDP answers, 5 otherwise."},
    footer = {"%nExamples:", "  azrdpfix probe 203.0.113.10",
        "  azrdpfix probe web-01.westeurope.cloudapp.azure.com:3390 --wait 5m"})
public final class ProbeCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;
  @Mixin
  OutputOptions output;

  @Parameters(paramLabel = "HOST[:PORT]",
      description = "The host name or IP address, with an optional port (default 3389); IPv6 as"
          + " [addr]:port.")
  String target;

  @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "5s", converter = DurationConverter.class,
      description = "Timeout of each stage, from 100ms to 2m (default: ${DEFAULT-VALUE}).")
  Duration timeout;

  @Option(names = "--wait", paramLabel = "DURATION", defaultValue = "0s", converter = DurationConverter.class,
      description = "Retry with backoff until RDP answers or this passes, up to 1h, e.g. 5m after a reboot (default: one"
          + " try).")
  Duration wait;

  @Option(names = "--expect-thumbprint", paramLabel = "SHA1",
      description = "Fail unless the served certificate has this SHA-1 thumbprint (as Windows shows it).")
  String expectThumbprint;

  private final Environment env;

  public ProbeCommand(Environment env) {
    this.env = env;
  }

  @Override
  public Integer call() {
    String host = target;
    int port = 3389;
    if (target.startsWith("[")) {
      int end = target.indexOf(']');
      if (end < 0) {
        throw AzrdpfixException.usage("'" + target + "' is not HOST[:PORT]: close the IPv6 address with ']'.");
      }
      host = target.substring(1, end);
      if (target.length() > end + 1) {
        port = port(target.substring(end + 1).replaceFirst("^:", ""));
      }
    } else if (target.indexOf(':') > 0 && target.indexOf(':') == target.lastIndexOf(':')) {
      host = target.substring(0, target.indexOf(':'));
      port = port(target.substring(target.indexOf(':') + 1));
    }
    if (host.isBlank() || !host.matches("[A-Za-z0-9.:_-]+")) {
      throw AzrdpfixException.usage("'" + target + "' is not HOST[:PORT]: give a host name or IP address.");
    }
    Validation.duration("--timeout", timeout, Duration.ofMillis(100), Duration.ofMinutes(2));
    Validation.duration("--wait", wait, Duration.ZERO, Duration.ofHours(1));
    String tp = null;
    if (expectThumbprint != null) {
      tp = dev.azrdpfix.core.model.Thumbprint.hexOf(expectThumbprint);
      if (tp == null) {
        throw AzrdpfixException.usage("--expect-thumbprint '" + expectThumbprint + "' is not a SHA-1 thumbprint:"
            + " give 40 hex digits as Windows shows them.");
      }
    }
    TlsPolicy.relaxForProbing(); // before any TLS: TLS 1.0/1.1-only servers are diagnosed, not misreported
    ProbeResult r = new TcpRdpProber(env.clock(), env.sleeper()).probe(new ProbeRequest(host, port, timeout, wait, tp));
    var out = spec.commandLine().getOut();
    GithubActions.of(out).probe(r, spec.commandLine().getErr());
    if (output.json()) {
      out.println(ProbeJson.toJson(r));
    } else {
      out.print(ProbeText.render(r));
    }
    out.flush();
    return r.ok() ? ExitCode.OK.code() : ExitCode.RDP_BLOCKED.code();
  }

  private static int port(String text) {
    try {
      int p = Integer.parseInt(text);
      if (p >= 1 && p <= 65535) {
        return p;
      }
    } catch (NumberFormatException e) {
      // fall through to the usage error
    }
    throw AzrdpfixException.usage("port '" + text + "' is not a TCP port: use 1-65535.");
  }
}
