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
      case TCP_REFUSED -> "`azrdpfix inspect VM` to see whether TermService runs and RDP is enabled, then"
          + " `azrdpfix repair VM` (enables remote connections, restarts the RDP services).";
      case TCP_TIMEOUT -> "`azrdpfix inspect VM` (power state, public IP, NSG rules for the port, guest firewall),"
          + " then `azrdpfix repair VM` for the guest firewall rules.";
      case NO_RESPONSE -> "`azrdpfix repair VM` (restarts a hung TermService); `azrdpfix inspect VM` shows which"
          + " process owns the port.";
      case NEGOTIATION_FAILED -> "`azrdpfix repair VM` (replaces the unusable RDP certificate, resets the MachineKeys"
          + " permissions).";
      case STANDARD_RDP_SECURITY_ONLY -> "`azrdpfix inspect VM` shows SecurityLayer and whether a policy sets it;"
          + " azrdpfix does not change SecurityLayer: set it back to 1 (Negotiate) or 2 (TLS) if TLS is wanted.";
      case TLS_HANDSHAKE_FAILED -> "`azrdpfix repair VM` (RDP certificate and its key, MachineKeys permissions,"
          + " TLS 1.2 server enabled in SCHANNEL).";
      case CERTIFICATE_EXPIRED -> "`azrdpfix repair VM` (removes the expired certificate so Windows issues a fresh"
          + " one).";
      case CERTIFICATE_NOT_YET_VALID -> "`azrdpfix inspect VM` to compare the guest clock, then `azrdpfix repair VM`"
          + " (resyncs time, replaces the certificate).";
      case CERTIFICATE_MISMATCH -> "TermService may still serve the old certificate: probe again after a restart,"
          + " or rerun `azrdpfix repair VM`.";
      case CREDSSP_FAILED -> "`azrdpfix inspect VM` (NLA setting, NTLM policy, guest clock); turning NLA off is a"
          + " repair behind an explicit flag.";
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
