package dev.azrdpfix.probe;

import dev.azrdpfix.core.probe.ProbeResult;
import dev.azrdpfix.core.probe.ProbeStage;
import dev.azrdpfix.core.probe.ProbeVerdict;
import java.util.Locale;

/** Renders a probe result for people: one line per stage, warnings, then the verdict and what to do next. */
public final class ProbeText {
  private ProbeText() {}

  public static String render(ProbeResult r) {
    StringBuilder b = new StringBuilder();
    if (r.host() != null) {
      b.append("Probe of ").append(r.host()).append(':').append(r.port()).append(": ")
          .append(r.attempts()).append(r.attempts() == 1 ? " attempt, " : " attempts, ")
          .append(r.elapsedMillis()).append(" ms, ")
          .append(r.roundTrips()).append(r.roundTrips() == 1 ? " round trip" : " round trips").append('\n');
    }
    for (ProbeStage s : r.stages()) {
      b.append(String.format(Locale.ROOT, "  %-6s %-13s %6d ms  %s%n", status(s.status()), s.name(), s.millis(),
          s.detail()));
    }
    for (String w : r.warnings()) {
      b.append("  warning: ").append(w).append('\n');
    }
    b.append("Verdict: ").append(r.verdict().id()).append(" - ").append(r.summary()).append('\n');
    String next = nextStep(r.verdict());
    if (next != null) {
      b.append("Next: ").append(next).append('\n');
    }
    return b.toString();
  }

  /** What to run or check after this verdict; null for ok. */
  public static String nextStep(ProbeVerdict v) {
    return switch (v) {
      case OK -> null;
      case HOST_NOT_FOUND -> "check the host name; `azrdpfix inspect VM` shows the VM's public IP and DNS label.";
      case TCP_REFUSED -> "`azrdpfix repair VM` (starts TermService, enables RDP and its listener);"
          + " `azrdpfix inspect VM` first if you are not sure of the port.";
      case TCP_TIMEOUT -> "`azrdpfix inspect VM` (power state, public IP, NSG rules for 3389), then"
          + " `azrdpfix repair VM` for the guest firewall.";
      case NO_RESPONSE -> "`azrdpfix repair VM` (restarts a hung TermService); check nothing else owns the port.";
      case NEGOTIATION_FAILED -> "`azrdpfix repair VM` (renews the RDP certificate, fixes MachineKeys permissions).";
      case STANDARD_RDP_SECURITY_ONLY -> "`azrdpfix repair VM` (sets SecurityLayer back to Negotiate).";
      case TLS_HANDSHAKE_FAILED -> "`azrdpfix repair VM` (RDP certificate, MachineKeys permissions, SCHANNEL TLS"
          + " 1.0-1.2 server settings).";
      case CERTIFICATE_EXPIRED -> "`azrdpfix repair VM` (renews the self-signed RDP certificate).";
      case CERTIFICATE_NOT_YET_VALID -> "check the guest clock (`azrdpfix inspect VM`), then `azrdpfix repair VM`.";
      case CERTIFICATE_MISMATCH -> "TermService may still serve the old certificate: probe again after a restart,"
          + " or rerun `azrdpfix repair VM`.";
      case CREDSSP_FAILED -> "`azrdpfix repair VM` (NLA/CredSSP settings); NTLM-restricting policies also cause this.";
      case PROTOCOL_ERROR -> "make sure the port is the VM's RDP listener (port forwarding, a proxy or another"
          + " service can answer instead).";
    };
  }

  private static String status(ProbeStage.Status s) {
    return switch (s) {
      case OK -> "ok";
      case WARN -> "warn";
      case FAILED -> "FAILED";
    };
  }
}
