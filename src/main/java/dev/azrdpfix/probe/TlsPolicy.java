package dev.azrdpfix.probe;

import java.security.Security;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Lets the probe reach RDP servers that only speak TLS 1.0/1.1 (old or misconfigured Windows guests), so it can report
 * "weak TLS" instead of a misleading handshake failure. Must run before any JSSE class is used: the JDK reads the
 * policy once, when its TLS classes initialise.
 */
public final class TlsPolicy {
  static final String DISABLED = "jdk.tls.disabledAlgorithms";
  static final String CLIENT_PROTOCOLS = "jdk.tls.client.protocols";
  private static final List<String> LEGACY = List.of("TLSV1", "TLSV1.1");

  private TlsPolicy() {}

  /**
   * Drops TLSv1 and TLSv1.1 from {@code jdk.tls.disabledAlgorithms} and, unless the user set it, pins the default
   * client protocols to TLS 1.3/1.2 so every other TLS client in the process (Azure SDK, HTTPS) still refuses to
   * downgrade; only the probe's own sockets enable 1.0/1.1 explicitly. Idempotent.
   *
   * @return true if the policy changed now
   */
  public static synchronized boolean relaxForProbing() {
    if (System.getProperty(CLIENT_PROTOCOLS) == null) {
      System.setProperty(CLIENT_PROTOCOLS, "TLSv1.3,TLSv1.2");
    }
    String current = Security.getProperty(DISABLED);
    if (current == null) {
      return false;
    }
    List<String> kept = new ArrayList<>();
    boolean changed = false;
    for (String entry : current.split(",")) {
      String token = entry.trim();
      if (token.isEmpty()) {
        continue;
      }
      if (LEGACY.contains(token.toUpperCase(Locale.ROOT))) {
        changed = true;
      } else {
        kept.add(token);
      }
    }
    if (changed) {
      Security.setProperty(DISABLED, String.join(", ", kept));
    }
    return changed;
  }

  /** Whether the current security policy still disables TLS 1.0 (i.e. {@link #relaxForProbing()} did not run). */
  public static boolean legacyTlsDisabled() {
    String current = Security.getProperty(DISABLED);
    if (current == null) {
      return false;
    }
    for (String entry : current.split(",")) {
      if (entry.trim().equalsIgnoreCase("TLSv1")) {
        return true;
      }
    }
    return false;
  }
}
