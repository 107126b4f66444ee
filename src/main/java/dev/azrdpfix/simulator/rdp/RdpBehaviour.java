package dev.azrdpfix.simulator.rdp;

import java.time.Duration;

/**
 * How a simulated VM's RDP listener behaves right now, derived from its guest state. The fake listener plays it over
 * a real loopback socket so the real probe classifies it.
 *
 * @param mode what the listener does
 * @param certificateDer the DER of the certificate served in TLS (null when no TLS is reached)
 * @param privateKeyPkcs8 the PKCS#8 private key matching {@code certificateDer}
 * @param clockSkew how far the guest clock is from real time (shows in the NTLM CHALLENGE timestamp)
 * @param computerName NetBIOS/DNS name reported in the NTLM CHALLENGE
 */
public record RdpBehaviour(
    Mode mode, byte[] certificateDer, byte[] privateKeyPkcs8, Duration clockSkew, String computerName) {

  public enum Mode {
    /** Negotiates HYBRID (CredSSP), completes TLS, answers NTLM NEGOTIATE with a CHALLENGE. */
    HEALTHY_NLA,
    /** Negotiates SSL (TLS without NLA), completes TLS. */
    HEALTHY_TLS,
    /** Nothing listens: connection refused (TermService stopped, or RDP disabled). */
    REFUSED,
    /** SYNs are dropped: connect times out (guest firewall blocks the port). */
    BLACKHOLE,
    /** Accepts TCP and never answers (listener hung). */
    NO_RESPONSE,
    /** Confirms SSL/HYBRID, then closes after the TLS ClientHello: the 0x904/0x7 signature (key unreadable). */
    CLOSE_AFTER_CLIENT_HELLO,
    /** Answers RDP_NEG_FAILURE SSL_CERT_NOT_ON_SERVER. */
    NEG_FAILURE_CERT_NOT_ON_SERVER,
    /** Answers RDP_NEG_FAILURE SSL_NOT_ALLOWED_BY_SERVER (SecurityLayer=0). */
    STANDARD_RDP_ONLY,
    /** Confirms SSL/HYBRID, then sends a fatal TLS alert (TLS server protocols disabled in SCHANNEL). */
    TLS_ALERT
  }
}
