package dev.azrdpfix.simulator.rdp;

import java.time.Duration;
import java.time.Instant;

/** Certificates for tests, issued once per JVM (RSA key generation is slow-ish). */
public final class TestCertificates {
  private TestCertificates() {}

  private static final class Holder {
    static final Instant NOW = Instant.now();
    static final SelfSignedCertificates.Issued VALID =
        SelfSignedCertificates.issue("web-01", NOW.minus(Duration.ofDays(30)), NOW.plus(Duration.ofDays(365)));
    static final SelfSignedCertificates.Issued EXPIRED =
        SelfSignedCertificates.issue("web-01", NOW.minus(Duration.ofDays(400)), NOW.minus(Duration.ofDays(35)));
    static final SelfSignedCertificates.Issued NOT_YET_VALID =
        SelfSignedCertificates.issue("web-01", NOW.plus(Duration.ofDays(3)), NOW.plus(Duration.ofDays(400)));
  }

  public static SelfSignedCertificates.Issued valid() {
    return Holder.VALID;
  }

  public static SelfSignedCertificates.Issued expired() {
    return Holder.EXPIRED;
  }

  public static SelfSignedCertificates.Issued notYetValid() {
    return Holder.NOT_YET_VALID;
  }

  /** A behaviour with the valid certificate, no clock skew, computer name web-01. */
  public static RdpBehaviour behaviour(RdpBehaviour.Mode mode) {
    return behaviour(mode, valid(), Duration.ZERO);
  }

  public static RdpBehaviour behaviour(RdpBehaviour.Mode mode, SelfSignedCertificates.Issued cert, Duration skew) {
    return new RdpBehaviour(mode, cert.certificateDer(), cert.privateKeyPkcs8(), skew, "web-01");
  }
}
