package dev.azrdpfix.core.probe;

import java.util.Locale;

/** The outcome of one probe, with a stable kebab-case id and a one-line description documented in the README. */
public enum ProbeVerdict {
  OK("RDP answers: negotiation, TLS and (for NLA) the first CredSSP round trip all succeeded."), HOST_NOT_FOUND(
      "The host name does not resolve: check the VM's public IP or DNS label."), TCP_REFUSED(
          "Nothing listens on the port (connection refused): TermService stopped, RDP disabled, or wrong port."), TCP_TIMEOUT(
              "The TCP connect timed out: an NSG, guest firewall or route drops the traffic, or the VM is stopped."), NO_RESPONSE(
                  "The port accepts TCP but the listener never answers the RDP Connection Request (or drops it)."), NEGOTIATION_FAILED(
                      "The server refused the security negotiation (RDP_NEG_FAILURE, e.g. SSL_CERT_NOT_ON_SERVER)."), STANDARD_RDP_SECURITY_ONLY(
                          "The server offers no TLS: Standard RDP Security only (SecurityLayer=0 or a legacy server)."), TLS_HANDSHAKE_FAILED(
                              "The TLS handshake failed (closed, reset, alert or no common version): the 0x904/0x7 window."), CERTIFICATE_EXPIRED(
                                  "TLS works but the server certificate has expired."), CERTIFICATE_NOT_YET_VALID(
                                      "TLS works but the server certificate is not valid yet (clock or certificate dates wrong)."), CERTIFICATE_MISMATCH(
                                          "TLS works but the served certificate is not the one expected (thumbprint differs)."), CREDSSP_FAILED(
                                              "TLS works but CredSSP/NTLM did not answer the credential-free NEGOTIATE."), PROTOCOL_ERROR(
                                                  "The server answered with malformed or truncated data that is not RDP.");

  private final String description;

  ProbeVerdict(String description) {
    this.description = description;
  }

  public String id() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  /** One line for people and for the README's verdict table. */
  public String description() {
    return description;
  }

  /** The verdict with this kebab-case id, or null. */
  public static ProbeVerdict fromId(String id) {
    for (ProbeVerdict v : values()) {
      if (v.id().equals(id)) {
        return v;
      }
    }
    return null;
  }
}
