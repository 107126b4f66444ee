package dev.azrdpfix.probe;

import dev.azrdpfix.core.probe.ProbeVerdict;
import java.io.EOFException;
import java.io.IOException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Turns what JSSE throws during the handshake into how the server failed it, in words a person can act on. */
final class TlsFailures {
  private static final Pattern ALERT = Pattern.compile("Received fatal alert: (\\w+)");

  private TlsFailures() {}

  record Classified(ProbeVerdict verdict, String reason) {}

  static Classified classify(IOException e, String timeout) {
    String all = messages(e);
    String lower = all.toLowerCase(Locale.ROOT);
    if (has(e, SocketTimeoutException.class)) {
      return tls("the server went silent during the TLS handshake (no answer within " + timeout + ")");
    }
    Matcher alert = ALERT.matcher(all);
    if (alert.find()) {
      String name = alert.group(1);
      if (name.equals("protocol_version")) {
        return tls("no TLS version in common: the server sent alert protocol_version" + legacyHint());
      }
      return tls("the server sent the fatal TLS alert " + name + " (its TLS credential or protocol setup is broken)");
    }
    if (lower.contains("unsupported or unrecognized ssl message") || lower.contains("plaintext connection")) {
      return new Classified(ProbeVerdict.PROTOCOL_ERROR,
          "the server answered the TLS ClientHello with bytes that are not TLS");
    }
    if (lower.contains("protocol version") || lower.contains("no appropriate protocol")
        || lower.contains("not accepted by client preferences")) {
      return tls("no TLS version in common (unsupported protocol: " + oneLine(e) + ")" + legacyHint());
    }
    if (has(e, EOFException.class) || lower.contains("remote host terminated the handshake")) {
      return tls("the server closed the connection right after the TLS ClientHello (the 0x904/0x7 signature:"
          + " RDP certificate or its private key unusable, or TLS disabled in SCHANNEL)");
    }
    if (lower.contains("connection reset") || (has(e, SocketException.class) && lower.contains("reset"))) {
      return tls("the server reset the connection after the TLS ClientHello");
    }
    if (lower.contains("broken pipe") || lower.contains("socket closed")) {
      return tls("the server closed the connection during the TLS handshake");
    }
    return tls("the TLS handshake failed: " + oneLine(e));
  }

  private static String legacyHint() {
    return TlsPolicy.legacyTlsDisabled()
        ? "; TLS 1.0/1.1 are disabled in this Java runtime, so a server limited to them cannot be reached" : "";
  }

  private static Classified tls(String reason) {
    return new Classified(ProbeVerdict.TLS_HANDSHAKE_FAILED, reason);
  }

  /** The exception's own message, or its class name: one line, no stack. */
  static String oneLine(Throwable e) {
    String m = e.getMessage();
    String s = m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
    return s.replaceAll("\\s+", " ").trim();
  }

  private static String messages(Throwable e) {
    StringBuilder b = new StringBuilder();
    for (Throwable t = e; t != null && b.length() < 2000; t = t.getCause()) {
      b.append(t.getMessage()).append(" | ");
    }
    return b.toString();
  }

  private static boolean has(Throwable e, Class<? extends Throwable> type) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (type.isInstance(t)) {
        return true;
      }
    }
    return false;
  }
}
