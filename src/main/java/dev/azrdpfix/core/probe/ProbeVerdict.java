package dev.azrdpfix.core.probe;

import java.util.Locale;

/** The outcome of one probe, with a stable kebab-case id documented in the README. */
public enum ProbeVerdict {
  OK,
  TCP_REFUSED,
  TCP_TIMEOUT,
  NO_RESPONSE,
  NEGOTIATION_FAILED,
  STANDARD_RDP_SECURITY_ONLY,
  TLS_HANDSHAKE_FAILED,
  CERTIFICATE_EXPIRED,
  CERTIFICATE_NOT_YET_VALID,
  CERTIFICATE_MISMATCH,
  CREDSSP_FAILED,
  PROTOCOL_ERROR;

  public String id() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }
}
